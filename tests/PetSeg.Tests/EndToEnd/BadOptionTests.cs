using PetSeg.Cli;
using PetSeg.Reports;
using PetSeg.Tests.Data;
using PetSeg.Training;

namespace PetSeg.Tests.EndToEnd;

/// <summary>
/// Bad options are refused before any work (nothing generated, decoded or created) in one line that names the
/// option; failures during training name what is there; a dataset size that leaves one image for the last batch
/// trains; skipped samples are named on the console.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BadOptionTests(TrainedRun run)
{
    private static string OneLine(string err) => Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Runs train with the tiny settings, <paramref name="extra"/> overriding them, into a fresh folder.</summary>
    private (int Code, string Out, string Err, string Folder) Train(string name, params string[] extra)
    {
        var folder = Path.Combine(run.Temp, name);
        var settings = new List<string>();
        for (int i = 0; i < TrainedRun.TinySettings.Length; i += 2)
            if (!extra.Contains(TrainedRun.TinySettings[i])) settings.AddRange(TrainedRun.TinySettings.AsSpan(i, 2));
        var (code, output, err) = TrainedRun.Cli(["train", .. settings, "--epochs", "1", .. extra, "--out", folder]);
        return (code, output, err, folder);
    }

    [Theory]
    [InlineData("--lr", "NaN", "--lr NaN: the learning rate must be a finite number above 0")]
    [InlineData("--lr", "Infinity", "--lr Infinity: the learning rate must be a finite number above 0")]
    [InlineData("--lr", "0", "--lr 0: the learning rate must be a finite number above 0")]
    [InlineData("--image-size", "33", "--image-size 33: unet-mobilenetv2 halves the resolution 5 times, so the size must be a multiple of 32 (try 32 or 64)")]
    [InlineData("--image-size", "7", "--image-size 7: unet-mobilenetv2 halves the resolution 5 times, so the size must be a multiple of 32 (try 32)")]
    [InlineData("--batch-size", "1", "--batch-size 1 at --image-size 32: unet-mobilenetv2's deepest batch norm sees 1x1 pixels")]
    [InlineData("--lr-schedule", "zigzag", "zigzag")]
    public void A_bad_option_is_refused_before_any_work_and_leaves_no_folder(string option, string value, string message)
    {
        var (code, output, err, folder) = Train("refused-" + option.Trim('-') + value, option, value);
        Assert.Equal(1, code);
        Assert.StartsWith("petseg: ", OneLine(err));
        Assert.Contains(message, err);
        Assert.Empty(output); // no data was generated or decoded
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void A_cache_that_cannot_fit_is_refused_with_the_numbers_before_any_pet_is_drawn()
    {
        var (code, output, err, folder) = Train("too-large", "--synthetic-count", "2000000000", "--image-size", "256", "--batch-size", "2");
        Assert.Equal(1, code);
        var line = OneLine(err);
        Assert.Matches(@"^petseg: the sample cache of 2000000000 images at 256x256 needs 526336\.00 GB in .*, which has \d+\.\d\d GB free", line);
        Assert.Empty(output);
        Assert.False(Directory.Exists(folder));
        Assert.False(Directory.Exists(Path.Combine(run.Temp, "cache", "synthetic-2000000000-1-v2")));
    }

    [Fact]
    public void A_run_that_cannot_fit_in_memory_is_refused_with_the_numbers_before_any_work()
    {
        var (code, output, err, folder) = Train("too-large-for-memory", "--image-size", "8192", "--batch-size", "16");
        Assert.Equal(1, code);
        Assert.Matches(@"^petseg: --image-size 8192 --batch-size 16: training unet-mobilenetv2 needs about \d+\.\d\d GB of memory " +
            @"\(0\.\d\d GB of weights, gradients and optimizer state and \d+\.\d\d GB per image, measured at 64x64 and scaled, plus half again for the memory pool\), " +
            @"more than the \d+\.\d\d GB this process may use; use a smaller --image-size or --batch-size$", OneLine(err));
        Assert.Empty(output);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Divergence_does_not_claim_a_checkpoint_that_was_never_written()
    {
        var (code, _, err, folder) = Train("diverged", "--lr", "1e30");
        Assert.Equal(1, code);
        var line = OneLine(err);
        Assert.Contains("training stopped in epoch 1, no checkpoint was written before it; a smaller --lr may help", line);
        Assert.DoesNotContain("last.safetensors", line);
        Assert.False(Directory.Exists(folder), "a run that failed before its first checkpoint leaves no folder");
    }

    [Fact]
    public void A_last_batch_of_one_image_is_left_out_instead_of_stopping_the_run()
    {
        // 19 training images in batches of 2: the last holds one image, whose 1x1 bottleneck batch norm cannot normalise.
        var (code, output, err, folder) = Train("last-batch-of-one", "--batch-size", "2");
        Assert.True(code == 0, err);
        Assert.Contains("19 training", output);
        var metrics = MetricsCsv.Read(new RunFolder(folder).Metrics, ClassNames.OxfordPet);
        Assert.Equal(9, Assert.Single(metrics).Step);
    }

    [Fact]
    public void A_wrong_model_checkpoint_lists_the_first_problems_and_verbose_lists_all()
    {
        var input = Path.Combine(run.Temp, "zeros.npy");
        WriteZerosNpy(input, 32);
        string[] args = ["forward", "--model", "unet", "--weights", new RunFolder(run.Folder).LastCheckpoint, "--input", input, "--output", Path.Combine(run.Temp, "o.npz")];
        var (code, _, err) = TrainedRun.Cli(args);
        Assert.Equal(1, code);
        var line = OneLine(err);
        Assert.Matches(@"cannot load into model 'unet' by layer name: 0 missing, (\d+) unexpected, 0 mis-shaped tensors; (\d+ model layers get nothing from the file \(partial load\); )?unexpected ", line);
        Assert.Equal(1 + PetSegCli.MaxDetailLines, line.Split("; unexpected ").Length);
        Assert.EndsWith(" more (--verbose lists them all)", line);
        Assert.True(line.Length < 2000, $"{line.Length} characters");

        var (_, _, verbose) = TrainedRun.Cli([.. args, "--verbose"]);
        int unexpected = int.Parse(System.Text.RegularExpressions.Regex.Match(line, @"(\d+) unexpected").Groups[1].Value);
        Assert.Equal(unexpected + 1, verbose.Split('\n')[0].Split("; unexpected ").Length);
    }

    [Fact]
    public void The_console_names_the_first_skipped_files_and_their_reasons()
    {
        var data = Path.Combine(run.Temp, "oxford-with-bad-samples");
        TinyDatasets.WriteOxford(data);
        var (code, output, err, _) = Train("skipped-names", "--data", data, "--format", "oxford", "--batch-size", "4");
        Assert.True(code == 0, err);
        var summary = Assert.Single(output.Split('\n'), l => l.Contains(" skipped: "));
        Assert.Contains("; 6 skipped: 1 MissingImage, 1 MissingMask, 1 SizeMismatch, 1 UnsupportedFormat, 1 CorruptFile, 1 BadLabel; " +
            "first: dog_2.png MissingMask (trimap file not found), dog_6.jpg MissingImage (image file not found), dog_1.jpg CorruptFile (", summary);
        Assert.EndsWith(", 3 more in report.md", summary.TrimEnd());
    }

    /// <summary>A [1, size, size, 3] float32 .npy of zeros.</summary>
    private static void WriteZerosNpy(string path, int size)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': (1, {size}, {size}, 3), }}";
        header = header.PadRight(118) + "\n";
        using var file = File.Create(path);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0]);
        file.Write(System.Text.Encoding.ASCII.GetBytes(header));
        file.Write(new byte[size * size * 3 * 4]);
    }
}
