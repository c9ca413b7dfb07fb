using System.Diagnostics;
using System.Globalization;
using NeuralCore.Bench.Cpu;
using NeuralCore.Layers.Import;
using NeuralCore.Layers.Models.MaskRcnn;
using NeuralCore.Tensors;

namespace NeuralCore.Bench.Models;

/// <summary>
/// `bench -- maskrcnn --dir DIR [--runs R] [--python PATH] [--threads T]`: full-size Mask R-CNN on the CPU against
/// torchvision in the same session. bench/Models/maskrcnn_full_size.py DIR [--photo HxW] first writes the seeded
/// weights, the photo (800x1333 unless told) and torchvision's outputs; this loads the same weights, starts that script in its --serve mode as a child and
/// times the two alternately (one warm-up each, then ours, theirs, ours, theirs, ... R times), so both see the same
/// machine state; it reports the best and median of each, their ratio, each side's peak memory (our process's peak
/// working set, the child's ru_maxrss; and, on Linux, each one's peak resident set during the timed runs alone, the
/// kernel's count reset after the warm-ups), and then compares the detections and probabilities (<see cref="MaskRcnnParity"/>).
/// </summary>
public static class MaskRcnnBench
{
    public static void Run(string[] args)
    {
        string dir = BenchArgs.Option(args, "--dir") ?? throw new ArgumentException("maskrcnn: --dir DIR (made by bench/Models/maskrcnn_full_size.py) is required");
        int runs = BenchArgs.Int(args, "--runs", 5), threads = BenchArgs.Int(args, "--threads", Environment.ProcessorCount);
        if (runs < 1) throw new ArgumentException($"maskrcnn: --runs must be at least 1, got {runs}");
        string python = BenchArgs.Option(args, "--python") ?? "/usr/bin/python3";
        var model = MaskRcnnModel.Load(Path.Combine(dir, "maskrcnn_random.pth"));
        var photo = Npz.Read(Path.Combine(dir, "image.npz")).Single();
        using var image = Tensor.FromArray(Array.ConvertAll(photo.ToFloat32(), p => p / 255f), [1, (int)photo.Shape[0], (int)photo.Shape[1], 3]);

        long loadPeak = Process.GetCurrentProcess().PeakWorkingSet64;
        using var torchvision = new TorchvisionMaskRcnnProcess(python, dir, threads);
        double peakBefore = FmaPeak.Measure(Environment.ProcessorCount, 0.3);
        IReadOnlyList<Instance> instances = model.Detect(image);
        torchvision.Run();
        bool resetOurs = PeakResidentSet.Reset();
        torchvision.ResetPeak();
        var ours = new List<double>();
        var theirs = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            var watch = Stopwatch.StartNew();
            instances = model.Detect(image);
            ours.Add(watch.Elapsed.TotalSeconds);
            theirs.Add(torchvision.Run());
        }
        long ourPeak = Process.GetCurrentProcess().PeakWorkingSet64;
        long? ourRunsPeak = resetOurs ? PeakResidentSet.Bytes() : null;
        var (theirPeak, theirRunsPeak) = torchvision.PeakBytes();
        double peakAfter = FmaPeak.Measure(Environment.ProcessorCount, 0.3);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Mask R-CNN R50-FPN, one {image.Shape[1]}x{image.Shape[2]} photo, CPU, {threads} threads each, alternating, {runs} runs after one warm-up each"));
        Console.WriteLine();
        Console.WriteLine("| engine | best s | median s | all runs s | peak memory MiB (whole process) | peak MiB during the timed runs |");
        Console.WriteLine("|---|---:|---:|---|---:|---:|");
        Console.WriteLine(Row("ours (NeuralCore)", ours, ourPeak, ourRunsPeak));
        Console.WriteLine(Row("torchvision 0.14 (PyTorch 1.13)", theirs, theirPeak, theirRunsPeak));
        Console.WriteLine();
        Console.WriteLine($"our peak working set after loading the weights and the photo, before the first run: {loadPeak / (1 << 20)} MiB");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ours is {theirs.Min() / ours.Min():F2}x torchvision's speed (best), {Median(theirs) / Median(ours):F2}x (median); FMA peak ({Environment.ProcessorCount} threads, a contention indicator) before/after: {peakBefore:F0} / {peakAfter:F0} GFLOP/s"));
        Console.WriteLine();
        Console.WriteLine(MaskRcnnParity.Report(dir, image, instances));
    }

    private static string Row(string engine, List<double> seconds, long peakBytes, long? runsPeakBytes) => string.Create(CultureInfo.InvariantCulture,
        $"| {engine} | {seconds.Min():F3} | {Median(seconds):F3} | {string.Join(", ", seconds.Select(s => s.ToString("F2", CultureInfo.InvariantCulture)))} | {peakBytes / (1 << 20)} | {(runsPeakBytes is { } b ? (b >> 20).ToString(CultureInfo.InvariantCulture) : "n/a")} |");

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
