using System.Diagnostics;
using NeuralCore.Autograd;
using NeuralCore.Bench.Cpu;
using NeuralCore.Kernels;
using NeuralCore.Layers;
using NeuralCore.Layers.Losses;
using NeuralCore.Layers.Optim;
using NeuralCore.Tensors;
using NeuralCore.Tensors.Memory;

namespace NeuralCore.Bench.Models;

/// <summary>
/// `bench -- train-step [--models a,b] [--batch 8,32] [--size N] [--steps S] [--train-encoder] [--profile]`: the end-to-end training step of the
/// seed models (forward + fused softmax-CE + backward + optimizer), timed per phase, with images/s, the pool's
/// peak bytes in use and bytes held from the OS (in use + cached), blocks taken from the OS per timed step (0 when
/// the pool reuses everything) and the process's peak RSS (run one model per process for a per-model figure), and the FMA peak measured before and after (contention indicator).
/// Optimizers and frozen encoders as in the PyTorch anchors (torch_models.py).
/// </summary>
public static class TrainStepBench
{
    private static readonly (string Model, int Size, int Classes, string Optimizer, bool FreezeEncoder)[] Anchors =
    [
        ("unet-mobilenetv2", 128, 3, "adam", true),
        ("unet-pix2pix", 256, 3, "rmsprop", false),
        ("unet", 128, 3, "adam", false),
        ("fcn8-vgg16", 256, 3, "rmsprop", false),
        ("unet-densenet121", 128, 59, "rmsprop", true),
    ];

    public static void Run(string[] args)
    {
        var models = BenchArgs.Option(args, "--models")?.Split(',') ?? Anchors.Select(a => a.Model).ToArray();
        var batches = (BenchArgs.Option(args, "--batch") ?? "8,32").Split(',').Select(int.Parse).ToArray();
        int steps = BenchArgs.Int(args, "--steps", 3);
        int? size = BenchArgs.Option(args, "--size") is { } s ? int.Parse(s) : null;
        bool profile = args.Contains("--profile");
        bool trainEncoder = args.Contains("--train-encoder"); // as `petseg train` does from scratch
        double peakBefore = FmaPeak.Measure(Environment.ProcessorCount, 0.3);
        Console.WriteLine("| model | input | batch | step ms (median) | fwd / bwd / opt ms | images/s | pool peak MB | pool held MB | OS blocks/step | RSS peak MB |");
        Console.WriteLine("|---|---|---:|---:|---|---:|---:|---:|---:|---:|");
        foreach (var name in models)
        {
            var anchor = Anchors.First(a => a.Model == name);
            int side = size ?? anchor.Size;
            foreach (int batch in batches) Measure(anchor.Model, side, anchor.Classes, anchor.Optimizer, anchor.FreezeEncoder && !trainEncoder, batch, steps, profile);
        }
        Console.WriteLine($"\nFMA peak ({Environment.ProcessorCount} threads) before/after: {peakBefore:F0} / {FmaPeak.Measure(Environment.ProcessorCount, 0.3):F0} GFLOP/s");
    }

    private static void Measure(string name, int side, int classes, string optimizerName, bool freeze, int batch, int steps, bool profile)
    {
        var model = ModelZoo.Create(name, classes, seed: 1);
        if (freeze) model.Encoder?.Freeze();
        using var optimizer = Optimizers.Create(optimizerName, model, 1e-3);
        var loss = new SparseCrossEntropy();
        using var images = Tensor.Empty([batch, side, side, 3]);
        new RandomGenerator(2).FillUniform(images.Span<float>());
        using var labels = Tensor.Zeros([batch, side, side], DType.Int32);
        var labelSpan = labels.Span<int>();
        for (int i = 0; i < labelSpan.Length; i++) labelSpan[i] = (i / 7) % classes;

        NativeBlockPool.Shared.ResetPeak();
        long osBlocks = 0;
        var total = new List<double>();
        var phases = new List<(double F, double B, double O)>();
        // Two warm-up steps: the first compiles and fills the pool, but the optimizer creates its state at its end
        // from blocks the next step's activations then miss; from the third step on, the pool reuses everything.
        const int warmup = 2;
        for (int step = 0; step < warmup + steps; step++)
        {
            using var scope = TensorScope.Begin();
            model.Train();
            long osBefore = NativeBlockPool.Shared.OsAllocations;
            var sw = Stopwatch.StartNew();
            var logits = model.Forward(images);
            var l = loss.Forward(logits, labels);
            double f = sw.Elapsed.TotalMilliseconds;
            l.Backward();
            double b = sw.Elapsed.TotalMilliseconds;
            optimizer.Step();
            optimizer.ZeroGrad();
            double o = sw.Elapsed.TotalMilliseconds;
            if (step < warmup)
            {
                if (profile && step == warmup - 1) OpProfiler.Start();
                continue;
            }
            total.Add(o);
            osBlocks += NativeBlockPool.Shared.OsAllocations - osBefore;
            phases.Add((f, b - f, o - b));
        }
        if (profile)
            foreach (var (opName, opMs, calls) in OpProfiler.Stop().Take(15))
                Console.Error.WriteLine($"    {opName,-32} {opMs / steps,9:F1} ms/step {calls / steps,5} calls/step");
        var order = Enumerable.Range(0, total.Count).OrderBy(i => total[i]).ToArray();
        int median = order[order.Length / 2];
        double ms = total[median];
        var (fw, bw, op) = phases[median];
        double poolMb = NativeBlockPool.Shared.PeakBytesInUse / 1048576.0;
        double heldMb = NativeBlockPool.Shared.BytesHeld / 1048576.0;
        double rssMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
        Console.WriteLine($"| {name} | {side}x{side} | {batch} | {ms:F0} | {fw:F0} / {bw:F0} / {op:F0} | {batch * 1000 / ms:F2} | {poolMb:F0} | {heldMb:F0} | {(double)osBlocks / steps:F0} | {rssMb:F0} |");
    }

}
