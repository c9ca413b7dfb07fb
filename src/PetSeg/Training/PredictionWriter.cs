using NeuralCore.Layers.Import;
using PetSeg.Codecs;
using PetSeg.Data;
using PetSeg.Reports;

namespace PetSeg.Training;

/// <summary>What a prediction pass did: images written, and the files that could not be read (with why).</summary>
public sealed record PredictionSummary(int Predicted, IReadOnlyList<(string File, string Reason)> Skipped);

/// <summary>
/// Predicts masks for images of any size: each image is resized (bilinear) to the model's input size, predicted,
/// and its class mask resized back to the original size (nearest, so class ids stay ids). For each input
/// <c>&lt;name&gt;.png</c> gets the mask as gray values equal to the class ids and <c>&lt;name&gt;_overlay.png</c> the
/// image blended half and half with the mask's class colours.
/// </summary>
public sealed class PredictionWriter
{
    /// <summary>Weight of the class colour in the overlay.</summary>
    public const double OverlayAlpha = 0.5;

    private readonly TrainedModel _trained;
    private readonly Predictor _predictor;
    private readonly ImageResizer _resizer = new(ResizeMethod.Bilinear);
    private readonly IReadOnlyList<Rgb> _palette;
    private readonly string _outDir;

    public PredictionWriter(TrainedModel trained, string outDir)
    {
        _trained = trained;
        _predictor = new Predictor(trained.Model, trained.Normalization);
        _palette = SegmentationPalette.For(trained.ClassNames);
        _outDir = outDir;
    }

    /// <summary>The files to predict: <paramref name="input"/> itself, or every file in that folder (by name). What
    /// is an image is decided by its bytes when it is read, not by its extension.</summary>
    public static IReadOnlyList<string> InputFiles(string input)
    {
        if (File.Exists(input)) return [input];
        if (Directory.Exists(input)) return Directory.GetFiles(input).Order(StringComparer.Ordinal).ToList();
        throw new FileNotFoundException($"{input}: no such image file or folder");
    }

    /// <summary>Predicts every file of <paramref name="files"/>, skipping unreadable ones.</summary>
    /// <param name="onFileDone">Called after each file with the reason it was skipped, or null when it was predicted.</param>
    public PredictionSummary Run(IReadOnlyList<string> files, Action<string, string?>? onFileDone = null)
    {
        Directory.CreateDirectory(_outDir);
        var skipped = new List<(string, string)>();
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        int predicted = 0;
        foreach (var file in files)
        {
            if (ReadRgb(file, out string? reason) is not { } image)
            {
                skipped.Add((file, reason!));
                onFileDone?.Invoke(file, reason);
                continue;
            }
            var mask = Predict(image);
            string name = OutputName(file, usedNames);
            AtomicFile.WriteAllBytes(Path.Combine(_outDir, name + ".png"), PngEncoder.Encode(new Image8(image.Width, image.Height, 1, mask)));
            AtomicFile.WriteAllBytes(Path.Combine(_outDir, name + "_overlay.png"), PngEncoder.Encode(Overlay(image, mask, _palette)));
            predicted++;
            onFileDone?.Invoke(file, null);
        }
        return new PredictionSummary(predicted, skipped);
    }

    /// <summary>The class mask of an RGB image of any size, at that size.</summary>
    public byte[] Predict(Image8 rgb)
    {
        int size = _trained.ImageSize;
        var input = new byte[size * size * 3];
        _resizer.Resize(new PixelView(rgb.Pixels, rgb.Width, rgb.Height, 3), input, size, size);
        var small = _predictor.Predict([input], size)[0];
        var mask = new byte[rgb.Width * rgb.Height];
        MaskResizer.Nearest(new PixelView(small, size, size, 1), mask, rgb.Width, rgb.Height);
        return mask;
    }

    /// <summary>The image blended with its mask's class colours (<see cref="OverlayAlpha"/> colour, the rest image).</summary>
    public static Image8 Overlay(Image8 rgb, ReadOnlySpan<byte> mask, IReadOnlyList<Rgb> palette)
    {
        var pixels = new byte[rgb.Pixels.Length];
        ReadOnlySpan<byte> source = rgb.Pixels;
        const int alpha256 = (int)(OverlayAlpha * 256);
        for (int p = 0, o = 0; p < mask.Length; p++, o += 3)
        {
            var colour = palette[mask[p]];
            pixels[o] = Blend(source[o], colour.R);
            pixels[o + 1] = Blend(source[o + 1], colour.G);
            pixels[o + 2] = Blend(source[o + 2], colour.B);
        }
        return new Image8(rgb.Width, rgb.Height, 3, pixels);

        static byte Blend(byte image, byte colour) => (byte)((image * (256 - alpha256) + colour * alpha256 + 128) >> 8);
    }

    /// <summary>The image in <paramref name="file"/> as RGB, or null with the <paramref name="reason"/> it cannot be read.</summary>
    internal static Image8? ReadRgb(string file, out string? reason)
    {
        try
        {
            reason = null;
            return ImageCodec.DecodeFile(file).ToRgb();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // Decoder messages already start with the file name; I/O errors may not.
            reason = e.Message.StartsWith(file, StringComparison.Ordinal) ? e.Message[file.Length..].TrimStart(':', ' ') : e.Message;
            return null;
        }
    }

    /// <summary>The file's stem, or its whole name when another input already produced that stem (cat.jpg and cat.png).</summary>
    internal static string OutputName(string file, HashSet<string> used)
    {
        string stem = Path.GetFileNameWithoutExtension(file);
        string name = used.Add(stem) ? stem : Path.GetFileName(file);
        used.Add(name);
        return name;
    }
}
