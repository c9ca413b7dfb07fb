using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using NeuralCore.Autograd;
using NeuralCore.Bench.Cpu;
using NeuralCore.Kernels;
using NeuralCore.Layers;
using NeuralCore.Layers.Export.Onnx;
using NeuralCore.Tensors;

namespace NeuralCore.Bench.Models;

/// <summary>
/// `bench -- infer [--models a,b] [--batch 1,32] [--rounds R] [--profile]`: inference (eval mode, no gradient) of
/// each seed model on our engine and on ONNX Runtime (CPU provider, 2 intra-op threads, all graph optimisations)
/// running the file our exporter wrote from the same weights. The two engines run alternately in one process,
/// round after round, so both see the same machine; each reports its median. The outputs are compared first.
/// --profile adds, per engine, where the time of one batch goes by op type (our OpProfiler; ORT's node profile).
/// </summary>
public static class InferBench
{
    private static readonly (string Model, int Size, int Classes)[] Seeds =
    [
        ("unet-mobilenetv2", 128, 3),
        ("unet-pix2pix", 256, 3),
        ("unet", 128, 3),
        ("fcn8-vgg16", 256, 3),
        ("unet-densenet121", 128, 59),
    ];

    public static void Run(string[] args)
    {
        var models = BenchArgs.Option(args, "--models")?.Split(',') ?? Seeds.Select(s => s.Model).ToArray();
        var batches = (BenchArgs.Option(args, "--batch") ?? "1,32").Split(',').Select(int.Parse).ToArray();
        int rounds = BenchArgs.Int(args, "--rounds", 3);
        bool profile = args.Contains("--profile");
        var folder = Directory.CreateTempSubdirectory("bench-infer-").FullName;
        try
        {
            double peakBefore = FmaPeak.Measure(Environment.ProcessorCount, 0.3);
            Console.WriteLine("| model | input | batch | ours ms (median) | ORT ms (median) | ours img/s | ORT img/s | ours / ORT speed | max abs diff |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var name in models)
            {
                var seed = Seeds.First(s => s.Model == name);
                Measure(seed.Model, seed.Size, seed.Classes, batches, rounds, profile, folder);
            }
            Console.WriteLine($"\nFMA peak ({Environment.ProcessorCount} threads) before/after: {peakBefore:F0} / {FmaPeak.Measure(Environment.ProcessorCount, 0.3):F0} GFLOP/s");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Measure(string name, int side, int classes, int[] batches, int rounds, bool profile, string folder)
    {
        var model = ModelZoo.Create(name, classes, seed: 1);
        model.Eval();
        var path = Path.Combine(folder, name + ".onnx");
        OnnxExporter.Export(model, side, side, path);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 2,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var session = new InferenceSession(path, options);
        foreach (int batch in batches)
        {
            Shape shape = [batch, side, side, 3];
            var input = new float[shape.ElementCount];
            new RandomGenerator(2).FillUniform(input);
            var (ours, onnx) = (new List<double>(), new List<double>());
            double diff = 0;
            for (int round = -1; round < rounds; round++) // round -1 warms both up (JIT, pools, ORT's arenas)
            {
                var (oursMs, oursOut) = Timed(() => Ours(model, input, shape));
                var (onnxMs, onnxOut) = Timed(() => Onnx(session, input, shape));
                if (round < 0)
                {
                    diff = oursOut.Zip(onnxOut, (a, b) => Math.Abs((double)a - b)).Max();
                    continue;
                }
                ours.Add(oursMs);
                onnx.Add(onnxMs);
            }
            double o = Median(ours), r = Median(onnx);
            Console.WriteLine($"| {name} | {side}x{side} | {batch} | {o:F1} | {r:F1} | {batch * 1000 / o:F2} | {batch * 1000 / r:F2} | {r / o:F2}x | {diff:G2} |");
            if (profile) Profile(model, path, input, shape);
        }
    }

    private static float[] Ours(SegmentationModel model, float[] input, Shape shape)
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        return model.Forward(Tensor.FromArray(input, shape)).ToArray<float>();
    }

    private static float[] Onnx(InferenceSession session, float[] input, Shape shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape.ToArray().Select(d => (long)d).ToArray());
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [OnnxExporter.InputName], [value], [OnnxExporter.OutputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static (double Ms, float[] Output) Timed(Func<float[]> run)
    {
        var sw = Stopwatch.StartNew();
        var output = run();
        return (sw.Elapsed.TotalMilliseconds, output);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>One batch on each engine with per-op timing: ours by op name, ORT by node op type (its JSON profile).</summary>
    private static void Profile(SegmentationModel model, string path, float[] input, Shape shape)
    {
        OpProfiler.Start();
        Ours(model, input, shape);
        var oursOps = OpProfiler.Stop();
        using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1, EnableProfiling = true,
            ProfileOutputPathPrefix = Path.Combine(Path.GetDirectoryName(path)!, "ort-profile") };
        using var session = new InferenceSession(path, options);
        Onnx(session, input, shape); // warm-up run, profiled too: keep only the last run's events
        Onnx(session, input, shape);
        var ortOps = OrtOpTimes(session.EndProfiling());
        Console.Error.WriteLine($"  {model.Name} batch {shape[0]}: ours by op | ORT by op type (last run), ms");
        for (int i = 0; i < Math.Max(Math.Min(oursOps.Count, 10), Math.Min(ortOps.Count, 10)); i++)
        {
            string left = i < oursOps.Count && i < 10 ? $"{oursOps[i].Op,-28} {oursOps[i].Ms,9:F1}" : new string(' ', 38);
            string right = i < ortOps.Count && i < 10 ? $"{ortOps[i].Op,-24} {ortOps[i].Ms,9:F1}" : "";
            Console.Error.WriteLine($"    {left} | {right}");
        }
    }

    /// <summary>Node time by op type of the last run in an ORT profile (Chrome trace JSON: events with cat "Node", dur in µs).</summary>
    private static List<(string Op, double Ms)> OrtOpTimes(string profilePath)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(profilePath));
        var events = document.RootElement.EnumerateArray().ToList();
        long lastRunStart = events.Where(e => e.GetProperty("name").GetString() == "model_run").Select(e => e.GetProperty("ts").GetInt64()).DefaultIfEmpty(0).Max();
        var totals = new Dictionary<string, double>();
        foreach (var e in events)
        {
            if (e.GetProperty("cat").GetString() != "Node" || e.GetProperty("ts").GetInt64() < lastRunStart) continue;
            if (!e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            var op = e.GetProperty("args").GetProperty("op_name").GetString()!;
            totals[op] = totals.GetValueOrDefault(op) + e.GetProperty("dur").GetInt64() / 1000.0;
        }
        File.Delete(profilePath);
        return totals.Select(kv => (kv.Key, kv.Value)).OrderByDescending(t => t.Value).ToList();
    }
}
