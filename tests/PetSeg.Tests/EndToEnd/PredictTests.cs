using PetSeg.Codecs;
using PetSeg.Training;

namespace PetSeg.Tests.EndToEnd;

/// <summary><c>petseg predict</c> on a file and on a folder: masks at the original size with valid class ids, overlays, skipped files.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class PredictTests(TrainedRun run)
{
    private const int Classes = 3;

    /// <summary>An RGB gradient of the given size: any picture will do, the sizes are what matter.</summary>
    internal static Image8 Picture(int width, int height)
    {
        var image = new Image8(width, height, 3);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 3;
                (image.Pixels[o], image.Pixels[o + 1], image.Pixels[o + 2]) = ((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)((x ^ y) * 7));
            }
        return image;
    }

    private static void AssertPrediction(string outDir, string name, int width, int height)
    {
        var mask = ImageCodec.DecodeFile(Path.Combine(outDir, name + ".png"));
        Assert.Equal((width, height, 1), (mask.Width, mask.Height, mask.Channels));
        Assert.All(mask.Pixels, v => Assert.InRange(v, 0, Classes - 1));
        var overlay = ImageCodec.DecodeFile(Path.Combine(outDir, name + "_overlay.png"));
        Assert.Equal((width, height, 3), (overlay.Width, overlay.Height, overlay.Channels));
    }

    [Fact]
    public void Predict_on_a_file_writes_a_mask_of_the_original_size_and_an_overlay()
    {
        var input = Path.Combine(run.Temp, "wide.png");
        File.WriteAllBytes(input, PngEncoder.Encode(Picture(75, 41)));
        var outDir = Path.Combine(run.Temp, "predict-file");
        var (code, output, err) = TrainedRun.Cli("predict", "--checkpoint", run.Folder, "--input", input, "--out", outDir);

        Assert.True(code == 0, err);
        Assert.Equal("", err);
        Assert.StartsWith("1 of 1 images predicted", output);
        AssertPrediction(outDir, "wide", 75, 41);
        Assert.Equal(2, Directory.GetFiles(outDir).Length);
    }

    [Fact]
    public void Predict_on_a_folder_predicts_every_image_and_skips_the_rest_by_name()
    {
        var folder = Path.Combine(run.Temp, "predict-inputs");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "tall.jpg"), JpegEncoder.Encode(Picture(30, 97)));
        // A PNG under a JPEG name: the format is sniffed, not taken from the name.
        File.WriteAllBytes(Path.Combine(folder, "square.jpg"), PngEncoder.Encode(Picture(64, 64)));
        var gif = Path.Combine(folder, "anim.gif");
        File.WriteAllBytes(gif, "GIF89a\x01\x00\x01\x00\x00\x00\x00;"u8.ToArray());
        var outDir = Path.Combine(run.Temp, "predict-folder");
        var (code, output, err) = TrainedRun.Cli("predict", "--checkpoint", run.Folder, "--input", folder, "--out", outDir);

        Assert.True(code == 0, err);
        Assert.Equal($"petseg: skipped {gif}: Gif images are not supported, expected JPEG or PNG", err.Trim());
        Assert.StartsWith("2 of 3 images predicted", output);
        Assert.Contains("; 1 skipped", output);
        AssertPrediction(outDir, "tall", 30, 97);
        AssertPrediction(outDir, "square", 64, 64);
    }

    [Fact]
    public void Predict_on_a_gif_file_says_it_skipped_it_and_fails()
    {
        var gif = Path.Combine(run.Temp, "lonely.gif");
        File.WriteAllBytes(gif, "GIF87a\x01\x00\x01\x00\x00\x00\x00;"u8.ToArray());
        var (code, output, err) = TrainedRun.Cli("predict", "--checkpoint", run.Folder, "--input", gif, "--out", Path.Combine(run.Temp, "none"));

        Assert.Equal(1, code);
        Assert.Contains($"petseg: skipped {gif}: Gif images", err);
        Assert.StartsWith("0 of 1 images predicted", output);
    }

    [Fact]
    public void Overlay_blends_image_and_class_colour_half_and_half()
    {
        var image = new Image8(2, 1, 3, [0, 100, 255, 10, 20, 30]);
        var palette = new PetSeg.Reports.Rgb[] { new(200, 0, 255), new(0, 0, 0) };
        var overlay = PredictionWriter.Overlay(image, [0, 1], palette);
        Assert.Equal(new byte[] { 100, 50, 255, 5, 10, 15 }, overlay.Pixels);
    }
}
