using System.Diagnostics;
using NeuralCore.Layers.Import;
using NeuralCore.Layers.Models.MaskRcnn;
using NeuralCore.Tensors;

namespace NeuralCore.Bench.Models;

/// <summary>
/// Full-size Mask R-CNN on the CPU against torchvision: bench/Models/maskrcnn_full_size.py writes the seeded weights,
/// the 800x1333 photo and torchvision's detections and time into a folder; this loads the same weights, times our
/// inference (best of --runs after one warm-up), reports the peak working set and compares the detections
/// (boxes within 0.5 px, equal labels, scores within 1e-3, mask IoU at least 0.99).
/// </summary>
public static class MaskRcnnBench
{
    public static void Run(string[] args)
    {
        string dir = BenchArgs.Option(args, "--dir") ?? throw new ArgumentException("maskrcnn: --dir DIR (made by bench/Models/maskrcnn_full_size.py) is required");
        int runs = BenchArgs.Int(args, "--runs", 3);
        var model = MaskRcnnModel.Load(Path.Combine(dir, "maskrcnn_random.pth"));
        var photo = Npz.Read(Path.Combine(dir, "image.npz")).Single();
        var pixels = photo.ToFloat32();
        using var image = Tensor.FromArray(Array.ConvertAll(pixels, p => p / 255f), [1, (int)photo.Shape[0], (int)photo.Shape[1], 3]);
        IReadOnlyList<Instance> instances = model.Detect(image);
        double best = double.MaxValue;
        for (int r = 0; r < runs; r++)
        {
            var watch = Stopwatch.StartNew();
            instances = model.Detect(image);
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        var expected = Npz.Read(Path.Combine(dir, "torchvision.npz")).ToDictionary(t => t.Name);
        double torchSeconds = expected["seconds"].ToFloat32()[0];
        Console.WriteLine($"ours {best:F3} s, torchvision {torchSeconds:F3} s: {torchSeconds / best:F2}x; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB");
        Console.WriteLine(Compare(instances, expected, photo.Shape[0] * photo.Shape[1]));
    }

    private static string Compare(IReadOnlyList<Instance> ours, Dictionary<string, RawTensor> theirs, long pixels)
    {
        float[] boxes = theirs["boxes"].ToFloat32(), scores = theirs["scores"].ToFloat32(), labels = theirs["labels"].ToFloat32(), masks = theirs["masks"].ToFloat32();
        if (ours.Count != scores.Length) return $"MISMATCH: {ours.Count} detections, torchvision {scores.Length}";
        double boxError = 0, scoreError = 0, worstIou = 1;
        int labelMismatches = 0;
        for (int d = 0; d < ours.Count; d++)
        {
            var o = ours[d];
            boxError = new[] { o.X1 - boxes[d * 4], o.Y1 - boxes[d * 4 + 1], o.X2 - boxes[d * 4 + 2], o.Y2 - boxes[d * 4 + 3] }.Select(Math.Abs).Append((float)boxError).Max();
            scoreError = Math.Max(scoreError, Math.Abs(o.Score - scores[d]));
            if (o.Label != (int)labels[d]) labelMismatches++;
            long both = 0, either = 0;
            for (long p = 0; p < pixels; p++)
            {
                bool a = o.Mask[p] > 0.5f, b = masks[d * pixels + p] > 0.5f;
                if (a && b) both++;
                if (a || b) either++;
            }
            worstIou = Math.Min(worstIou, either == 0 ? 1 : both / (double)either);
        }
        bool pass = boxError <= 0.5 && scoreError <= 1e-3 && labelMismatches == 0 && worstIou >= 0.99;
        return $"{(pass ? "MATCH" : "MISMATCH")}: {ours.Count} detections, max box error {boxError:G3} px, max score error {scoreError:G3}, label mismatches {labelMismatches}, worst mask IoU {worstIou:F4}";
    }
}
