using System.Globalization;
using System.Text.Json;
using PetSeg.Reports;
using PetSeg.Training;

namespace PetSeg.Tests.EndToEnd;

/// <summary><c>petseg synth</c>, <c>train</c> and <c>eval</c> from the command line, and their one-line errors on bad input.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class TrainEvalTests(TrainedRun run)
{
    private static readonly IReadOnlyList<string> Classes = ClassNames.OxfordPet;

    [Fact]
    public void Synth_writes_the_oxford_layout()
    {
        var folder = Path.Combine(run.Temp, "synth");
        var (code, output, err) = TrainedRun.Cli("synth", "--out", folder, "--count", "6");

        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Contains("6 synthetic pets", output);
        var images = Directory.GetFiles(Path.Combine(folder, "images"), "*.jpg").Select(Path.GetFileNameWithoutExtension).Order().ToList();
        var trimaps = Directory.GetFiles(Path.Combine(folder, "annotations", "trimaps"), "*.png").Select(Path.GetFileNameWithoutExtension).Order().ToList();
        Assert.Equal(6, images.Count);
        Assert.Equal(images, trimaps);
        foreach (var list in new[] { "list.txt", "trainval.txt", "test.txt" })
            Assert.True(File.Exists(Path.Combine(folder, "annotations", list)), list);
    }

    [Fact]
    public void Train_fills_the_run_folder()
    {
        Assert.True(run.ExitCode == 0, run.Errors);
        Assert.Equal("", run.Errors);
        var folder = new RunFolder(run.Folder);
        foreach (var file in new[] { folder.Options, folder.LastCheckpoint, folder.BestCheckpoint, folder.Metrics, folder.Report,
                     folder.File(RunReportBuilder.MosaicFile), folder.File("loss.png"), folder.File("miou.png"), folder.File("loss.svg") })
            Assert.True(File.Exists(file), $"{file} missing");
        var options = TrainOptions.FromJson(File.ReadAllText(folder.Options), folder.Options);
        Assert.Equal((TrainedRun.Epochs, 32, 24), (options.Epochs, options.ImageSize, options.SyntheticCount));
        var rows = MetricsCsv.Read(folder.Metrics, Classes);
        Assert.Equal(Enumerable.Range(1, TrainedRun.Epochs), rows.Select(r => r.Epoch));
        Assert.Contains("samples.png", File.ReadAllText(folder.Report));
        Assert.Contains($"epoch {TrainedRun.Epochs}: loss", run.Output);
    }

    /// <summary>Train validates each epoch on every 5th test image, then evaluates the final model on the whole
    /// test split; eval of the last checkpoint must repeat those final figures.</summary>
    [Fact]
    public void Eval_repeats_the_final_test_split_figures_of_train()
    {
        var json = Path.Combine(run.Temp, "eval.json");
        var checkpoint = new RunFolder(run.Folder).LastCheckpoint;
        var (code, output, err) = TrainedRun.Cli("eval", "--checkpoint", checkpoint, "--json", json, "--batch-size", "3");

        Assert.True(code == 0, err);
        Assert.Equal("", err);
        using var numbers = JsonDocument.Parse(File.ReadAllText(json));
        var root = numbers.RootElement;
        int images = root.GetProperty("images").GetInt32();
        Assert.Contains($"{images} test images (validation each epoch on {(images + 4) / 5})", run.Output);

        string F4(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        string F3(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
        string perClass = string.Join(", ", Classes.Select(c => $"{c} {F3(root.GetProperty("classes").GetProperty(c).GetProperty("iou").GetDouble())}"));
        Assert.Contains($"test split ({images} images), final model: pixel accuracy {F4(root.GetProperty("pixel_accuracy").GetDouble())}, " +
            $"mIoU {F4(root.GetProperty("mean_iou").GetDouble())} ({perClass})", run.Output);

        Assert.Contains($"pixel accuracy {F4(root.GetProperty("pixel_accuracy").GetDouble())}  mIoU {F4(root.GetProperty("mean_iou").GetDouble())}", output);
        Assert.Matches(@"true \\ predicted\s*│ pet\s*│ background\s*│ border", output);
        long pixels = root.GetProperty("confusion").EnumerateArray().SelectMany(r => r.EnumerateArray()).Sum(v => v.GetInt64());
        Assert.Equal(images * 32 * 32, pixels);
    }

    [Fact]
    public void Eval_reads_another_dataset_folder_given_with_data()
    {
        var folder = Path.Combine(run.Temp, "synth-for-eval");
        Assert.Equal(0, TrainedRun.Cli("synth", "--out", folder, "--count", "10", "--seed", "9").ExitCode);
        int testImages = File.ReadLines(Path.Combine(folder, "annotations", "test.txt")).Count(l => l.Length > 0 && !l.StartsWith('#'));
        Assert.InRange(testImages, 1, 9);
        var (code, output, err) = TrainedRun.Cli("eval", "--checkpoint", run.Folder, "--data", folder);

        Assert.True(code == 0, err);
        Assert.Contains($"on {folder}, test split, {testImages} images at 32x32", output);
    }

    [Fact]
    public void Train_on_a_missing_folder_names_it_in_one_line()
    {
        var missing = Path.Combine(run.Temp, "nonexistent");
        var (code, _, err) = TrainedRun.Cli("train", "--data", missing, "--out", Path.Combine(run.Temp, "never"));

        Assert.Equal(1, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("petseg: ", line);
        Assert.Contains(missing, line);
    }

    [Fact]
    public void Eval_of_a_missing_checkpoint_names_it_in_one_line()
    {
        var missing = Path.Combine(run.Temp, "missing");
        var (code, _, err) = TrainedRun.Cli("eval", "--checkpoint", missing);

        Assert.Equal(1, code);
        Assert.Equal($"petseg: {missing}: no such checkpoint file or run folder", err.Trim());
    }
}
