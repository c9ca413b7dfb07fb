using PetSeg.Data;
using NeuralCore.Layers.Metrics;
using PetSeg.Reports;

namespace PetSeg.Tests.Reports;

/// <summary>report.md: summary, final and best metrics, per-class IoU rows, confusion matrix, links to the pictures
/// it wrote, and skipped inputs counted by reason.</summary>
public sealed class ReportWriterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("petseg-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly RunSummary Summary = new("unet", "synthetic, 12 images, seed 1", Epochs: 3, ImageSize: 128, BatchSize: 4,
        Optimizer: "adam", LearningRate: 1e-3, LrSchedule: "cosine", Loss: "crossentropy+dice", Seed: 1, WallTime: TimeSpan.FromSeconds(75), ImagesPerSecond: 12.5);

    /// <summary>Truth 0,0,1,1,2,2 against prediction 0,1,1,1,2,0: IoU pet 1/3, background 2/3, border 1/2.</summary>
    private static ConfusionMatrix Confusion(int classes = 3)
    {
        var cm = new ConfusionMatrix(classes);
        cm.Add([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]);
        return cm;
    }

    [Fact]
    public void Report_has_summary_metrics_per_class_table_confusion_matrix_links_and_skips()
    {
        var epochs = new[] { MetricsCsvTests.Row(1), MetricsCsvTests.Row(2) with { ValMeanIoU = 0.9 }, MetricsCsvTests.Row(3) };
        var report = new RunReport(Summary, ClassNames.OxfordPet, epochs, Confusion(), ["samples/mosaic-3.png"],
            [new("a", "images/a.jpg", SkipReason.CorruptFile, "truncated scan"), new("b", "annotations/trimaps/b.png", SkipReason.MissingMask, "no trimap"),
             new("c", "images/c.jpg", SkipReason.CorruptFile, "bad Huffman code")]);

        var md = File.ReadAllText(ReportWriter.Write(_folder, report));

        Assert.Contains("| model | unet |", md);
        Assert.Contains("| epochs | 3 |", md);
        Assert.Contains("| wall time | 1 min 15 s |", md);
        Assert.Contains("| learning rate | 0.001 (cosine) |", md);
        Assert.Contains("| loss | crossentropy+dice |", md);
        Assert.Contains("| final | 3 | 0.3333 | 0.5300 | 0.5000 | 0.6300 | 0.4600 |", md);
        Assert.Contains("| best val mIoU | 2 |", md);
        Assert.Contains("| pet | 0.3333 | 0.5000 | 2 | 2 |", md);
        Assert.Contains("| background | 0.6667 | 0.8000 | 2 | 3 |", md);
        Assert.Contains("| border | 0.5000 | 0.6667 | 2 | 1 |", md);
        Assert.Contains("| **mean** | 0.5000 |", md);
        Assert.Contains("| true \\ predicted | pet | background | border |", md);
        Assert.Contains("| **pet** | 1 (50.0%) | 1 (50.0%) | 0 (0.0%) |", md);
        foreach (var chart in CurvePlot.Names)
        {
            Assert.Contains($"]({chart}.svg)", md);
            Assert.Contains($"]({chart}.png)", md);
            Assert.True(File.Exists(Path.Combine(_folder, chart + ".svg")), $"{chart}.svg missing");
            Assert.True(File.Exists(Path.Combine(_folder, chart + ".png")), $"{chart}.png missing");
        }
        Assert.Contains("![mosaic-3](samples/mosaic-3.png)", md);
        Assert.Contains("3 inputs were skipped.", md);
        Assert.Contains("| CorruptFile | 2 | a, c |", md);
        Assert.Contains("| MissingMask | 1 | b |", md);
    }

    [Fact]
    public void Many_classes_put_the_confusion_matrix_in_a_csv_and_list_the_largest_confusions()
    {
        var names = ClassNames.Numeric(20);
        var epochs = new[] { MetricsCsvTests.Row(1) with { ValClassIoU = Enumerable.Repeat(0.5, 20).ToList() } };
        var report = new RunReport(Summary with { Epochs = 5 }, names, epochs, Confusion(20), [], []);

        var md = File.ReadAllText(ReportWriter.Write(_folder, report));

        Assert.Contains("| epochs | 1 of 5 run |", md);
        Assert.Contains($"[{ReportWriter.ConfusionCsv}]({ReportWriter.ConfusionCsv})", md);
        Assert.Contains("| 0 | 1 | 1 |", md);
        Assert.Contains("| 2 | 0 | 1 |", md);
        Assert.Contains("| 19 | n/a | n/a | 0 | 0 |", md);
        Assert.Contains("None: every listed image and mask was used.", md);
        var csv = File.ReadAllLines(Path.Combine(_folder, ReportWriter.ConfusionCsv));
        Assert.Equal(21, csv.Length);
        Assert.Equal("0,1,1,0" + string.Concat(Enumerable.Repeat(",0", 17)), csv[1]);
    }
}
