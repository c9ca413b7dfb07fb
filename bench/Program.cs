using NeuralCore.Bench.Cpu;
using NeuralCore.Bench.Ops;

namespace NeuralCore.Bench;

/// <summary>Benchmark entry point: `dotnet run -c Release --project bench -- &lt;command&gt; [options]`.</summary>
public static class Program
{
    private static readonly (string Name, string Help, Action<string[]> Run)[] Commands =
    [
        ("peak", "register-only Vector512 FMA peak on 1 and 2 threads [--seconds S]", PeakCommand),
        ("--quick", "every catalog op's benchmark cases, reference vs Cpu, one table [--ops a,b] [--markdown FILE]", QuickOpTable.Run),
        ("train-step", "seed models' training step (fwd+loss+bwd+optimizer) [--models a,b] [--batch 8,32] [--size N] [--steps S]", Models.TrainStepBench.Run),
        ("infer", "seed models' inference, ours vs ONNX Runtime on our exported file, alternating [--models a,b] [--batch 1,32] [--rounds R] [--profile]", Models.InferBench.Run),
        ("bdn", "BenchmarkDotNet suites (catalog x backend): pass BenchmarkDotNet arguments, e.g. --filter '*'", args => BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args)),
        ("winograd-error", "rounding error of direct, F(2,3), F(4,3) convs vs float64 on the 3x3 anchors [--batch N]", WinogradErrorBench.Run),
        ("winograd-time", "direct vs Winograd F(2,3), F(4,3) timings of 3x3 convs, interleaved [--rounds R] [--batch N]", WinogradTimeBench.Run),
        ("gpu", "GPU: GEMM 4096^3, catalog ops' benchmark cases, seed models' training steps [--device cuda] [--torch FILE] [--markdown FILE]", Gpu.GpuBench.Run),
        ("gpu-check", "GPU conformance on a device: every catalog case vs the Reference kernels [--device cuda]", Gpu.GpuCheck.Run),
        ("maskrcnn", "full-size Mask R-CNN on the CPU vs torchvision (child process), alternating: time, peak memory, detections and probabilities compared --dir DIR [--runs R] [--python P] [--threads T]", Models.MaskRcnnBench.Run),
        ("gemm", "Sgemm GFLOP/s and % of FMA peak [--threads T] [--seconds S] [--square] [--shape M N K] [--transA] [--transB]", GemmBench.Run),
    ];

    public static int Main(string[] args)
    {
        var command = Commands.FirstOrDefault(c => args.Length > 0 && c.Name == args[0]);
        if (command.Run == null)
        {
            Console.Error.WriteLine(args.Length == 0 ? "bench: missing command" : $"bench: unknown command '{args[0]}'");
            foreach (var c in Commands) Console.Error.WriteLine($"  {c.Name,-8} {c.Help}");
            return 2;
        }
        command.Run(args[1..]);
        return 0;
    }

    private static void PeakCommand(string[] args)
    {
        double seconds = BenchArgs.Double(args, "--seconds", 0.5);
        for (int threads = 1; threads <= 2; threads++)
            Console.WriteLine($"FMA peak, {threads} thread(s): {FmaPeak.Measure(threads, seconds):F1} GFLOP/s");
    }
}
