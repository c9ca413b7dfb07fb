using NeuralCore.Layers.Import;

namespace PetSeg.Reports;

/// <summary>
/// The training curves of a run from its metrics rows: loss, pixel accuracy and mean IoU against epoch, train and
/// validation series (mIoU is measured on validation only, so its chart adds the per-class IoUs when there are few
/// classes). Each chart is written as <c>&lt;name&gt;.svg</c> and <c>&lt;name&gt;.png</c>.
/// </summary>
public static class CurvePlot
{
    public static readonly Rgb TrainColour = new(0x2a, 0x6f, 0xc9), ValColour = new(0xe0, 0x6c, 0x1b);

    /// <summary>Per-class lines make the mIoU chart unreadable beyond this many classes.</summary>
    public const int MaxClassLines = 6;

    /// <summary>File stems written by <see cref="Write"/>, in report order.</summary>
    public static readonly string[] Names = ["loss", "accuracy", "miou"];

    public static IReadOnlyList<Chart> Charts(IReadOnlyList<EpochMetrics> rows, IReadOnlyList<string> classNames)
    {
        IReadOnlyList<(double, double)> Points(Func<EpochMetrics, double> metric) => rows.Select(r => ((double)r.Epoch, metric(r))).ToList();

        var miou = new List<ChartSeries> { new("val mIoU", ValColour, Points(r => r.ValMeanIoU)) };
        if (classNames.Count <= MaxClassLines)
        {
            for (int c = 0; c < classNames.Count; c++)
            {
                int cls = c;
                miou.Add(new ChartSeries($"IoU {classNames[c]}", SegmentationPalette.ChartColour(c), Points(r => r.ValClassIoU[cls]), Thin: true));
            }
        }
        return
        [
            new Chart("Loss", "epoch", "loss", [new("train", TrainColour, Points(r => r.TrainLoss)), new("val", ValColour, Points(r => r.ValLoss))]),
            new Chart("Pixel accuracy", "epoch", "accuracy",
                [new("train", TrainColour, Points(r => r.TrainAccuracy)), new("val", ValColour, Points(r => r.ValAccuracy))]),
            new Chart("Mean IoU (validation)", "epoch", "IoU", miou),
        ];
    }

    /// <summary>Writes every chart into <paramref name="folder"/> and returns the file names written (SVG and PNG).</summary>
    public static IReadOnlyList<string> Write(string folder, IReadOnlyList<EpochMetrics> rows, IReadOnlyList<string> classNames)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        foreach (var (name, chart) in Names.Zip(Charts(rows, classNames)))
        {
            AtomicFile.WriteAllText(Path.Combine(folder, name + ".svg"), ChartRenderer.Svg(chart));
            AtomicFile.WriteAllBytes(Path.Combine(folder, name + ".png"), ChartRenderer.Png(chart));
            files.Add(name + ".svg");
            files.Add(name + ".png");
        }
        return files;
    }
}
