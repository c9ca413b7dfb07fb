using System.Diagnostics;
using System.Text.Json;
using NeuralCore.Kernels;
using NeuralCore.Kernels.Catalog;
using NeuralCore.Kernels.Gpu;
using NeuralCore.Layers;
using NeuralCore.Layers.Losses;
using NeuralCore.Layers.Optim;
using NeuralCore.Layers.Training;
using NeuralCore.Tensors;

namespace NeuralCore.Bench.Gpu;

/// <summary>
/// `bench -- gpu`: on a GPU device, GEMM 4096^3, every catalog op's benchmark cases, and the seed models' training
/// steps; with `--torch FILE` (written by bench/Gpu/torch_gpu_bench.py on the same machine) each row gains PyTorch's
/// figure and the ratio. Options: --device cuda|cuda:N|emulated, --ops a,b, --models a,b, --batch N,
/// --budget S (seconds per op case), --markdown FILE.
/// </summary>
public static class GpuBench
{
    public static void Run(string[] args)
    {
        var device = GpuDevices.Open(BenchArgs.Option(args, "--device") ?? "cuda");
        var only = BenchArgs.Option(args, "--ops")?.Split(',').ToHashSet();
        var models = (BenchArgs.Option(args, "--models") ?? string.Join(",", ModelZoo.Names)).Split(',');
        int batch = (int)BenchArgs.Double(args, "--batch", 32);
        double budget = BenchArgs.Double(args, "--budget", 1.0);
        var torch = BenchArgs.Option(args, "--torch") is { } file ? TorchFigures.Read(file) : null;

        var lines = new List<string> { $"# GPU benchmarks on {device}", "" };
        lines.Add(Table(["GEMM", "ms", "TFLOP/s", "torch TFLOP/s", "ratio"], [GemmRow(device, torch)]));
        var opRows = new List<string[]>();
        foreach (var op in OpCatalog.All.Where(o => only is null || only.Contains(o.Name)))
            foreach (var opCase in op.Cases.Where(c => c.Bench))
            {
                double ms = MedianMs(device, () => op.Run(MoveInputs(opCase, device.Device), opCase.Attrs), budget);
                double? torchMs = torch?.OpMs(op.Name, opCase.Label);
                opRows.Add([op.Name, opCase.Label, ms.ToString("F3"), torchMs?.ToString("F3") ?? "", torchMs is null ? "" : (torchMs.Value / ms).ToString("F2") + "x"]);
                Console.Error.WriteLine($"  {op.Name} {opCase.Label}: {ms:F3} ms");
            }
        lines.Add(Table(["op", "case", "ours ms", "torch ms", "speed vs torch"], opRows));
        var modelRows = models.Select(m => ModelRow(device, m, batch, torch)).ToList();
        lines.Add(Table(["model", "batch", "size", "ours img/s", "torch img/s", "ratio"], modelRows));
        string text = string.Join("\n", lines);
        Console.WriteLine(text);
        if (BenchArgs.Option(args, "--markdown") is { } md) File.WriteAllText(md, text);
    }

    private static string[] GemmRow(GpuDevice device, TorchFigures? torch)
    {
        const int n = 4096;
        using var a = Tensor.Full([n, n], 0.5, DType.Float32, device.Device);
        using var b = Tensor.Full([n, n], 0.25, DType.Float32, device.Device);
        double ms = MedianMs(device, () => [NeuralCore.Kernels.Ops.Matmul(a, b)], budget: 2);
        double tflops = 2.0 * n * n * n / (ms * 1e9);
        double? torchTflops = torch?.GemmTflops;
        return [$"{n}^3", ms.ToString("F2"), tflops.ToString("F1"), torchTflops?.ToString("F1") ?? "", torchTflops is null ? "" : (tflops / torchTflops.Value).ToString("F2") + "x"];
    }

    private static string[] ModelRow(GpuDevice device, string name, int batch, TorchFigures? torch)
    {
        int size = name is ModelZoo.UNetPix2Pix or ModelZoo.Fcn8Vgg16 ? 256 : 128;
        int classes = name == ModelZoo.UNetDenseNet121 ? 59 : 3;
        var model = ModelZoo.Create(name, classes, seed: 1);
        model.MoveTo(device.Device);
        using var optimizer = new Adam(model.NamedParameters(), 1e-3);
        var trainer = new Trainer(optimizer, new SparseCrossEntropy(), classes);
        using var images = Tensor.Full([batch, size, size, 3], 0.1, DType.Float32, device.Device);
        using var labels = Tensor.Full([batch, size, size], 1, DType.Int32, device.Device);
        for (int warm = 0; warm < 2; warm++) trainer.TrainStep(model, images, labels);
        device.Synchronize();
        const int steps = 5;
        var clock = Stopwatch.StartNew();
        for (int s = 0; s < steps; s++) trainer.TrainStep(model, images, labels);
        device.Synchronize();
        double rate = steps * batch / clock.Elapsed.TotalSeconds;
        double? torchRate = torch?.ModelImagesPerSecond(name);
        Console.Error.WriteLine($"  {name} b{batch}: {rate:F1} img/s");
        return [name, batch.ToString(), size.ToString(), rate.ToString("F1"), torchRate?.ToString("F1") ?? "", torchRate is null ? "" : (rate / torchRate.Value).ToString("F2") + "x"];
    }

    private static Tensor[] MoveInputs(OpCase opCase, Device device) =>
        CaseInputs.Create(opCase, DType.Float32, seed: 1).Select(t => t.To(device)).ToArray();

    /// <summary>Median wall time of <paramref name="call"/> with the device drained after each call (warm-up first).</summary>
    private static double MedianMs(GpuDevice device, Func<Tensor[]> call, double budget)
    {
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        for (int run = 0; run < 25 && (run < 4 || total.Elapsed.TotalSeconds < budget); run++)
        {
            using var scope = TensorScope.Begin();
            device.Synchronize();
            var clock = Stopwatch.StartNew();
            call();
            device.Synchronize();
            if (run > 0) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static string Table(string[] head, IEnumerable<string[]> rows) =>
        string.Join("\n", new[] { "| " + string.Join(" | ", head) + " |", "|" + string.Concat(head.Select(_ => "---|")) }
            .Concat(rows.Select(r => "| " + string.Join(" | ", r) + " |"))) + "\n";

    /// <summary>PyTorch's figures from torch_gpu_bench.py's JSON: ops by "op|case label", models by name.</summary>
    private sealed class TorchFigures(JsonElement root)
    {
        public static TorchFigures Read(string path) => new(JsonDocument.Parse(File.ReadAllText(path)).RootElement);

        public double? GemmTflops => root.TryGetProperty("gemm_tflops", out var v) ? v.GetDouble() : null;

        public double? OpMs(string op, string label) =>
            root.GetProperty("ops").TryGetProperty($"{op}|{label}", out var v) ? v.GetDouble() : null;

        public double? ModelImagesPerSecond(string model) =>
            root.GetProperty("models").TryGetProperty(model, out var v) ? v.GetDouble() : null;
    }
}
