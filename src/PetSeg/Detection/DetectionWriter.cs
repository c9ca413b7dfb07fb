using NeuralCore.Layers.Import;
using NeuralCore.Layers.Models.MaskRcnn;
using NeuralCore.Tensors;
using PetSeg.Codecs;
using PetSeg.Training;

namespace PetSeg.Detection;

/// <summary>What a detection pass did: images done, detections kept, and the files that could not be read (with why).</summary>
public sealed record DetectionSummary(int Images, int Detections, IReadOnlyList<(string File, string Reason)> Skipped);

/// <summary>
/// Runs a Mask R-CNN over image files: for each input <c>&lt;name&gt;.png</c> gets the photo with its detections drawn
/// (<see cref="DetectionOverlay"/>), and one <see cref="JsonName"/> lists every detection in the COCO results format.
/// Detections scoring below the threshold are in neither.
/// </summary>
public sealed class DetectionWriter(MaskRcnnModel model, float scoreThreshold, string outDir)
{
    public const string JsonName = "detections.json";

    /// <summary>Detects in every file of <paramref name="files"/>, skipping unreadable ones.</summary>
    /// <param name="onFileDone">Called after each file with the reason it was skipped, or null when it was done.</param>
    public DetectionSummary Run(IReadOnlyList<string> files, Action<string, string?>? onFileDone = null)
    {
        Directory.CreateDirectory(outDir);
        var skipped = new List<(string, string)>();
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        var results = new List<CocoResult>();
        int images = 0;
        foreach (var file in files)
        {
            if (PredictionWriter.ReadRgb(file, out string? reason) is not { } image)
            {
                skipped.Add((file, reason!));
                onFileDone?.Invoke(file, reason);
                continue;
            }
            var objects = Detect(image);
            string name = PredictionWriter.OutputName(file, usedNames);
            AtomicFile.WriteAllBytes(Path.Combine(outDir, name + ".png"), PngEncoder.Encode(DetectionOverlay.Draw(image, objects)));
            results.AddRange(objects.Select(o => CocoResult.From(Path.GetFileName(file), o, image.Height, image.Width)));
            images++;
            onFileDone?.Invoke(file, null);
        }
        if (images > 0) AtomicFile.Write(Path.Combine(outDir, JsonName), stream => CocoResultsJson.Write(stream, results));
        return new DetectionSummary(images, results.Count, skipped);
    }

    /// <summary>The detections of an RGB image scoring at least the threshold, best first, with binary masks.</summary>
    public IReadOnlyList<DetectedObject> Detect(Image8 rgb)
    {
        var values = new float[rgb.Pixels.Length];
        for (int i = 0; i < values.Length; i++) values[i] = rgb.Pixels[i] / 255f;
        using var input = Tensor.FromArray(values, [1, rgb.Height, rgb.Width, 3]);
        return model.Detect(input)
            .Where(d => d.Score >= scoreThreshold)
            .Select(d => new DetectedObject(d.X1, d.Y1, d.X2, d.Y2, d.Label, d.Score,
                d.Mask.Select(p => p > DetectedObject.MaskThreshold ? (byte)1 : (byte)0).ToArray()))
            .ToList();
    }
}
