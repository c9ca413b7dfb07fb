using PetSeg.Data;
using System.Globalization;
using System.Text;
using NeuralCore.Layers.Import;
using NeuralCore.Layers.Metrics;

namespace PetSeg.Reports;

/// <summary>
/// Writes a run folder's <c>report.md</c> (and the curves it links to): run summary, final and best metrics, per-class
/// IoU, the confusion matrix, curves, sample mosaics and the skipped inputs. Plain GitHub-flavoured Markdown, images
/// linked relatively so the folder can be moved or zipped.
/// </summary>
public static class ReportWriter
{
    public const string FileName = "report.md", ConfusionCsv = "confusion.csv";

    /// <summary>Confusion matrices with more classes than this go to confusion.csv, with the largest confusions listed.</summary>
    public const int MaxInlineClasses = 12;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes the curves and report.md into <paramref name="runFolder"/>; returns report.md's path.</summary>
    public static string Write(string runFolder, RunReport report)
    {
        Directory.CreateDirectory(runFolder);
        if (report.Epochs.Count > 0) CurvePlot.Write(runFolder, report.Epochs, report.ClassNames);
        var text = new StringBuilder();
        Summary(text, report);
        Metrics(text, report);
        PerClass(text, report);
        Confusion(text, report, runFolder);
        Pictures(text, report);
        Skipped(text, report.Skipped);
        var path = Path.Combine(runFolder, FileName);
        AtomicFile.WriteAllText(path, text.ToString());
        return path;
    }

    private static void Summary(StringBuilder md, RunReport report)
    {
        var s = report.Summary;
        md.Append($"# PetSeg run: {s.Model}\n\n");
        Table(md, ["setting", "value"],
        [
            ["model", s.Model],
            ["pretrained weights", s.Weights ?? "none (random initialisation)"],
            ["data", s.Data],
            ["classes", $"{report.ClassNames.Count} ({string.Join(", ", report.ClassNames.Take(8))}{(report.ClassNames.Count > 8 ? ", ..." : "")})"],
            ["epochs", report.Epochs.Count == s.Epochs ? $"{s.Epochs}" : $"{report.Epochs.Count} of {s.Epochs} run"],
            ["image size", $"{s.ImageSize}x{s.ImageSize}"],
            ["batch size", $"{s.BatchSize}"],
            ["optimizer", s.Optimizer],
            ["learning rate", $"{s.LearningRate.ToString("G4", Invariant)} ({s.LrSchedule})"],
            ["loss", s.Loss],
            ["seed", $"{s.Seed}"],
            ["device", s.Device],
            ["wall time", WallTime(s.WallTime)],
            ["throughput", $"{s.ImagesPerSecond.ToString("F1", Invariant)} images/s (training)"],
        ]);
    }

    private static void Metrics(StringBuilder md, RunReport report)
    {
        md.Append("## Metrics\n\n");
        if (report.Epochs.Count == 0)
        {
            md.Append("No epoch finished.\n\n");
            return;
        }
        var last = report.Epochs[^1];
        var best = report.Epochs.Where(e => !double.IsNaN(e.ValMeanIoU)).MaxBy(e => e.ValMeanIoU);
        var rows = new List<string[]> { MetricRow("final", last) };
        if (best is not null) rows.Add(MetricRow("best val mIoU", best));
        Table(md, ["", "epoch", "train loss", "train acc", "val loss", "val acc", "val mIoU"], rows);
    }

    private static string[] MetricRow(string label, EpochMetrics e) =>
        [label, $"{e.Epoch}", F(e.TrainLoss), F(e.TrainAccuracy), F(e.ValLoss), F(e.ValAccuracy), F(e.ValMeanIoU)];

    private static void PerClass(StringBuilder md, RunReport report)
    {
        var names = report.ClassNames;
        if (report.FinalConfusion is { } cm)
        {
            md.Append("## Per-class IoU (final model, whole test split)\n\n");
            var rows = Enumerable.Range(0, names.Count).Select(c => new[]
            {
                names[c], F(cm.IoU(c)), F(cm.Dice(c)),
                Enumerable.Range(0, cm.Classes).Sum(k => cm[c, k]).ToString("N0", Invariant),
                Enumerable.Range(0, cm.Classes).Sum(k => cm[k, c]).ToString("N0", Invariant),
            }).ToList();
            rows.Add(["**mean**", F(cm.MeanIoU), F(cm.MeanDice), cm.Total.ToString("N0", Invariant), "", ]);
            Table(md, ["class", "IoU", "Dice", "true pixels", "predicted pixels"], rows);
            md.Append($"Pixel accuracy {F(cm.PixelAccuracy)}. Classes absent from both truth and prediction have no IoU (n/a) and are left out of the mean.\n\n");
        }
        else if (report.Epochs.Count > 0)
        {
            md.Append($"## Per-class IoU (epoch {report.Epochs[^1].Epoch})\n\n");
            var iou = report.Epochs[^1].ValClassIoU;
            Table(md, ["class", "IoU"], Enumerable.Range(0, names.Count).Select(c => new[] { names[c], F(iou[c]) }).ToList());
        }
    }

    private static void Confusion(StringBuilder md, RunReport report, string runFolder)
    {
        if (report.FinalConfusion is not { } cm) return;
        var names = report.ClassNames;
        md.Append("## Confusion matrix\n\n");
        if (cm.Classes <= MaxInlineClasses)
        {
            md.Append("Rows are true classes, columns predicted classes; each cell is the pixel count and its share of the row.\n\n");
            var rows = Enumerable.Range(0, cm.Classes).Select(t =>
            {
                long rowTotal = Enumerable.Range(0, cm.Classes).Sum(p => cm[t, p]);
                return new[] { $"**{names[t]}**" }.Concat(Enumerable.Range(0, cm.Classes).Select(p =>
                    $"{cm[t, p].ToString("N0", Invariant)} ({Percent(cm[t, p], rowTotal)})")).ToArray();
            }).ToList();
            Table(md, ["true \\ predicted", .. names], rows);
            return;
        }
        WriteConfusionCsv(Path.Combine(runFolder, ConfusionCsv), cm, names);
        md.Append($"{cm.Classes} classes: the full matrix (rows true, columns predicted) is in [{ConfusionCsv}]({ConfusionCsv}). Largest confusions:\n\n");
        var top = (from t in Enumerable.Range(0, cm.Classes)
                   from p in Enumerable.Range(0, cm.Classes)
                   where t != p && cm[t, p] > 0
                   orderby cm[t, p] descending
                   select new[] { names[t], names[p], cm[t, p].ToString("N0", Invariant) }).Take(10).ToList();
        Table(md, ["true", "predicted as", "pixels"], top);
    }

    private static void WriteConfusionCsv(string path, ConfusionMatrix cm, IReadOnlyList<string> names)
    {
        var csv = new StringBuilder("true\\predicted,").AppendJoin(',', names.Select(CsvCell)).Append('\n');
        for (int t = 0; t < cm.Classes; t++)
            csv.Append(CsvCell(names[t])).Append(',').AppendJoin(',', Enumerable.Range(0, cm.Classes).Select(p => cm[t, p])).Append('\n');
        AtomicFile.WriteAllText(path, csv.ToString());
    }

    private static void Pictures(StringBuilder md, RunReport report)
    {
        if ((report.Epochs.Count > 0 || report.Mosaics.Count > 0) && !SystemFonts.Available)
            md.Append(SystemFonts.MissingNote).Append("\n\n");
        if (report.Epochs.Count > 0)
        {
            md.Append("## Curves\n\n");
            foreach (var (name, chart) in CurvePlot.Names.Zip(CurvePlot.Charts(report.Epochs, report.ClassNames)))
                md.Append($"![{chart.Title}]({name}.svg)\n([PNG]({name}.png))\n\n");
        }
        if (report.Mosaics.Count > 0)
        {
            md.Append("## Sample predictions\n\nEach row: input, true mask, predicted mask.\n\n");
            foreach (var mosaic in report.Mosaics) md.Append($"![{Path.GetFileNameWithoutExtension(mosaic)}]({mosaic.Replace('\\', '/')})\n\n");
        }
    }

    private static void Skipped(StringBuilder md, IReadOnlyList<SkippedSample> skipped)
    {
        md.Append("## Skipped inputs\n\n");
        if (skipped.Count == 0)
        {
            md.Append("None: every listed image and mask was used.\n");
            return;
        }
        md.Append($"{skipped.Count} inputs were skipped.\n\n");
        var rows = skipped.GroupBy(s => s.Reason).OrderByDescending(g => g.Count()).Select(g => new[]
        {
            g.Key.ToString(), $"{g.Count()}", string.Join(", ", g.Take(3).Select(s => s.Name)) + (g.Count() > 3 ? ", ..." : ""),
        }).ToList();
        Table(md, ["reason", "count", "examples"], rows);
    }

    private static void Table(StringBuilder md, string[] header, IReadOnlyList<string[]> rows)
    {
        md.Append("| ").AppendJoin(" | ", header.Select(Cell)).Append(" |\n");
        // Columns of numbers are right-aligned so digits line up; text columns stay left-aligned.
        md.Append('|').AppendJoin('|', header.Select((_, i) => i > 0 && rows.All(r => IsNumeric(r[i])) ? " ---: " : " --- ")).Append("|\n");
        foreach (var row in rows) md.Append("| ").AppendJoin(" | ", row.Select(Cell)).Append(" |\n");
        md.Append('\n');
    }

    /// <summary>Counts, fractions, "1,234 (5.6%)" and "n/a" are numbers; anything with letters is text.</summary>
    private static bool IsNumeric(string cell) =>
        cell.Replace("n/a", "").All(c => char.IsDigit(c) || c is '.' or ',' or '%' or '(' or ')' or ' ' or '-');

    /// <summary>Pipes would split a cell; names come from datasets, so they are escaped.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|").Replace('\n', ' ');

    private static string CsvCell(string text) => text.Contains(',') || text.Contains('"') ? $"\"{text.Replace("\"", "\"\"")}\"" : text;

    private static string F(double value) => double.IsNaN(value) ? "n/a" : value.ToString("F4", Invariant);

    private static string Percent(long part, long whole) => whole == 0 ? "n/a" : (100.0 * part / whole).ToString("F1", Invariant) + "%";

    private static string WallTime(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" : $"{t.TotalSeconds.ToString("F1", Invariant)} s";
}
