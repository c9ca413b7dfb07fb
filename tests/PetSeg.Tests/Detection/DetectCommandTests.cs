using System.Globalization;
using System.Text.Json;
using NeuralCore.Layers.Models.MaskRcnn;
using NeuralCore.Tensors;
using NeuralCore.Tests;
using PetSeg.Codecs;
using PetSeg.Detection;
using PetSeg.Tests.Cli;

namespace PetSeg.Tests.Detection;

/// <summary>
/// <c>petseg detect</c> end to end with the scaled-down Mask R-CNN twin (tests/NeuralCore.Layers.Tests/Models/MaskRcnn/
/// Fixtures/maskrcnn_twin.pth, made by make_maskrcnn_twin.py there, which resizes to a short side of 64, long side at
/// most 128): the COCO results file against the model run in-process, the pictures, and the bad-input errors.
/// </summary>
public sealed class DetectCommandTests : IDisposable
{
    private static readonly string Twin = Path.Combine(AppContext.BaseDirectory, "Fixtures", "maskrcnn", "maskrcnn_twin.pth");
    private static readonly string[] TwinSize = ["--min-size", "64", "--max-size", "128"];
    private static readonly MaskRcnnSettings TwinSettings = new() { Transform = new MaskRcnnTransform(MinSize: 64, MaxSize: 128) };

    private readonly string _folder = Directory.CreateTempSubdirectory("petseg-detect-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Seeded noise (the twin's own input is noise), so the twin detects what it detects in its fixture.</summary>
    private static Image8 Noise(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 3];
        new Random(seed).NextBytes(pixels);
        return new Image8(width, height, 3, pixels);
    }

    private string Folder(string name, params (string File, byte[] Bytes)[] files)
    {
        var folder = Path.Combine(_folder, name);
        Directory.CreateDirectory(folder);
        foreach (var (file, bytes) in files) File.WriteAllBytes(Path.Combine(folder, file), bytes);
        return folder;
    }

    [Fact]
    public void Writes_coco_results_and_pictures_of_what_the_model_detects_and_skips_a_corrupt_file()
    {
        var photos = new Dictionary<string, Image8> { ["a.png"] = Noise(80, 60, 1), ["b.png"] = Noise(56, 72, 2) };
        var input = Folder("in", [.. photos.Select(p => (p.Key, PngEncoder.Encode(p.Value))), ("broken.jpg", "not a picture"u8.ToArray())]);
        var model = MaskRcnnModel.Load(Twin, TwinSettings);
        var expected = photos.ToDictionary(p => p.Key, p => Detect(model, p.Value));
        // A threshold inside the scores, so some detections are kept and some are left out.
        var scores = expected.Values.SelectMany(d => d).Select(d => d.Score).Order().ToList();
        float threshold = scores[scores.Count / 2];
        var outDir = Path.Combine(_folder, "out");

        var (code, stdout, err) = CliTests.Run(["detect", "--weights", Twin, "--input", input, "--out", outDir,
            "--score-threshold", threshold.ToString("R", CultureInfo.InvariantCulture), .. TwinSize]);

        Assert.True(code == 0, err);
        Assert.Equal($"petseg: skipped {Path.Combine(input, "broken.jpg")}: unrecognised image format (first bytes 6E6F742061207069), expected JPEG or PNG",
            err.Trim());
        Assert.Contains("2 of 3 images", stdout);
        Assert.Contains("1 skipped, not decodable", stdout);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, DetectionWriter.JsonName)));
        var results = json.RootElement.EnumerateArray().ToList();
        int kept = 0;
        foreach (var (name, photo) in photos)
        {
            var want = expected[name].Where(d => d.Score >= threshold).ToList();
            var got = results.Where(r => r.GetProperty("image").GetString() == name).ToList();
            Assert.Equal(want.Count, got.Count);
            for (int i = 0; i < want.Count; i++) AssertResult(want[i], got[i], photo, threshold);
            kept += want.Count;
            AssertPicture(Path.Combine(outDir, Path.GetFileNameWithoutExtension(name) + ".png"), photo, want);
        }
        Assert.Equal(results.Count, kept);
        Assert.InRange(kept, 1, scores.Count - 1);
        Assert.False(File.Exists(Path.Combine(outDir, "broken.png")));
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));
    }

    /// <summary>
    /// <c>--device emulated</c> (the GPU kernels on ILGPU's CPU accelerator, minutes for one photo): says which device
    /// it took and writes the CPU model's detections, to float32 rounding across kernels (boxes 1e-3 px, scores 2e-5),
    /// the same labels and masks.
    /// </summary>
    [EmulatorLargeFact]
    [Trait("Emulator", "Large")]
    public void On_the_emulator_writes_what_the_model_detects_on_the_cpu()
    {
        var photo = Noise(80, 60, 1);
        var input = Folder("in", ("a.png", PngEncoder.Encode(photo)));
        var want = Detect(MaskRcnnModel.Load(Twin, TwinSettings), photo);
        var outDir = Path.Combine(_folder, "out");

        var (code, stdout, err) = CliTests.Run(["detect", "--weights", Twin, "--input", input, "--out", outDir,
            "--score-threshold", "0", "--device", "emulated", .. TwinSize]);

        Assert.True(code == 0, err);
        Assert.StartsWith("device: emulated", stdout);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, DetectionWriter.JsonName)));
        var got = json.RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(want);
        Assert.Equal(want.Count, got.Count);
        for (int i = 0; i < want.Count; i++)
        {
            Assert.Equal(want[i].CategoryId, got[i].GetProperty("category_id").GetInt32());
            Assert.Equal(want[i].Score, got[i].GetProperty("score").GetSingle(), 2e-5f);
            var bbox = got[i].GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            float[] corners = [bbox[0], bbox[1], bbox[0] + bbox[2], bbox[1] + bbox[3]];
            float[] wanted = [want[i].X1, want[i].Y1, want[i].X2, want[i].Y2];
            for (int c = 0; c < 4; c++) Assert.Equal(wanted[c], corners[c], 1e-3f);
            var counts = got[i].GetProperty("segmentation").GetProperty("counts").EnumerateArray().Select(v => v.GetInt32()).ToList();
            Assert.Equal(want[i].Mask, CocoRleTests.Decode(counts, photo.Height, photo.Width));
        }
    }

    /// <summary>What the model itself gives for <paramref name="photo"/>, masks thresholded at torchvision's 0.5.</summary>
    private static List<DetectedObject> Detect(MaskRcnnModel model, Image8 photo)
    {
        using var input = Tensor.FromArray(photo.Pixels.Select(v => v / 255f).ToArray(), [1, photo.Height, photo.Width, 3]);
        return model.Detect(input)
            .Select(d => new DetectedObject(d.X1, d.Y1, d.X2, d.Y2, d.Label, d.Score, d.Mask.Select(p => p > 0.5f ? (byte)1 : (byte)0).ToArray()))
            .ToList();
    }

    private static void AssertResult(DetectedObject want, JsonElement got, Image8 photo, float threshold)
    {
        Assert.Equal(want.CategoryId, got.GetProperty("category_id").GetInt32());
        Assert.Equal(CocoCategories.Name(want.CategoryId), got.GetProperty("category").GetString());
        Assert.Equal(want.Score, got.GetProperty("score").GetSingle());
        Assert.True(got.GetProperty("score").GetSingle() >= threshold);
        var bbox = got.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal([want.X1, want.Y1, want.X2 - want.X1, want.Y2 - want.Y1], bbox);
        var segmentation = got.GetProperty("segmentation");
        Assert.Equal([photo.Height, photo.Width], segmentation.GetProperty("size").EnumerateArray().Select(v => v.GetInt32()));
        var counts = segmentation.GetProperty("counts").EnumerateArray().Select(v => v.GetInt32()).ToList();
        Assert.Equal(photo.Height * photo.Width, counts.Sum());
        Assert.Equal(want.Mask, CocoRleTests.Decode(counts, photo.Height, photo.Width));
    }

    /// <summary>The picture has the photo's size and differs from it wherever a kept mask is.</summary>
    private static void AssertPicture(string path, Image8 photo, IReadOnlyList<DetectedObject> kept)
    {
        var picture = ImageCodec.DecodeFile(path);
        Assert.Equal((photo.Width, photo.Height, 3), (picture.Width, picture.Height, picture.Channels));
        var masked = Enumerable.Range(0, photo.Width * photo.Height).Where(p => kept.Any(d => d.Mask[p] != 0)).ToList();
        Assert.NotEmpty(masked);
        int changed = masked.Count(p => Enumerable.Range(0, 3).Any(c => picture.Pixels[3 * p + c] != photo.Pixels[3 * p + c]));
        Assert.True(changed >= masked.Count * 0.95, $"{path}: {changed} of {masked.Count} mask pixels differ from the photo");
    }

    [Fact]
    public void An_empty_folder_is_an_error()
    {
        var empty = Folder("empty");
        var (code, stdout, err) = CliTests.Run(["detect", "--weights", Twin, "--input", empty, "--out", Path.Combine(_folder, "out")]);

        Assert.NotEqual(0, code);
        Assert.Equal("", stdout);
        CliTests.AssertOneLineError(err, $"{empty}: the folder has no images");
    }

    [Fact]
    public void A_folder_without_a_decodable_image_is_an_error_and_writes_no_results()
    {
        var input = Folder("broken", ("x.png", PngEncoder.Encode(Noise(8, 8, 1))[..40]));
        var outDir = Path.Combine(_folder, "out");
        var (code, stdout, err) = CliTests.Run(["detect", "--weights", Twin, "--input", input, "--out", outDir, .. TwinSize]);

        Assert.NotEqual(0, code);
        Assert.Equal("", stdout);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"petseg: skipped {Path.Combine(input, "x.png")}: ", lines[0]);
        Assert.Equal($"petseg: {input}: no decodable image (1 skipped, reasons above)", lines[1]);
        Assert.False(File.Exists(Path.Combine(outDir, DetectionWriter.JsonName)));
    }

    [Fact]
    public void A_checkpoint_of_another_model_gets_the_importer_s_error()
    {
        var input = Folder("in", ("a.png", PngEncoder.Encode(Noise(32, 32, 3))));
        var other = CliTests.Fixture("torchvision_blocks.pth", "torch");
        var (code, _, err) = CliTests.Run(["detect", "--weights", other, "--input", input, "--out", Path.Combine(_folder, "out")]);

        Assert.NotEqual(0, code);
        CliTests.AssertOneLineError(err, $"{other}: not a torchvision Mask R-CNN state dict: missing ");
        Assert.Contains("unexpected", err);
        Assert.False(Directory.Exists(Path.Combine(_folder, "out")));
    }

    [Theory]
    [InlineData("--score-threshold", "1.5", "--score-threshold 1.5: expected a score from 0 to 1")]
    [InlineData("--min-size", "0", "--min-size expects a positive integer")]
    [InlineData("--device", "tpu", "--device 'tpu': expected auto, cpu, cuda, cuda:N or emulated")]
    // No CUDA driver, no GPU, or fewer than eight cards: refused before the input is even looked at.
    [InlineData("--device", "cuda:7", "--device cuda:7: ")]
    public void Bad_options_fail_in_one_line_before_any_work(string option, string value, string message)
    {
        var (code, stdout, err) = CliTests.Run(["detect", "--weights", "absent.pth", "--input", "absent", "--out", Path.Combine(_folder, "out"), option, value]);

        Assert.NotEqual(0, code);
        Assert.Equal("", stdout);
        CliTests.AssertOneLineError(err, message);
        Assert.False(Directory.Exists(Path.Combine(_folder, "out")));
    }
}
