using System.Globalization;
using System.Text;
using NeuralCore.Layers.Import;

namespace PetSeg.Reports;

/// <summary>
/// The run folder's <c>metrics.csv</c>: a header, then one row per epoch, appended and flushed as each epoch ends so
/// a crashed or running job can be plotted. Columns: <c>epoch, step, train_loss, train_acc, val_loss, val_acc,
/// val_miou, iou_&lt;class&gt;..., lr, images_per_s, seconds</c>. Numbers use the invariant culture with 10 significant
/// digits: far more than a metric means, and free of round-off tails like 0.42000000000000004.
/// </summary>
public sealed class MetricsCsv
{
    private const int FixedLeading = 7, FixedTrailing = 3;

    public string Path { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public string Header { get; }

    private MetricsCsv(string path, IReadOnlyList<string> classNames)
    {
        Path = path;
        ClassNames = classNames;
        Header = HeaderFor(classNames);
    }

    /// <summary>
    /// Starts a new file (replacing any old one) when <paramref name="resumeAfterEpoch"/> is null; otherwise continues
    /// the existing file, first dropping rows of epochs after <paramref name="resumeAfterEpoch"/> (they were run past
    /// the checkpoint being resumed and will be run again).
    /// </summary>
    public static MetricsCsv Open(string path, IReadOnlyList<string> classNames, int? resumeAfterEpoch = null)
    {
        var csv = new MetricsCsv(path, classNames);
        if (resumeAfterEpoch is { } last && File.Exists(path))
        {
            var kept = Read(path, classNames).Where(r => r.Epoch <= last).ToList();
            csv.Rewrite(kept);
        }
        else
        {
            csv.Rewrite([]);
        }
        return csv;
    }

    /// <summary>Appends one epoch's row by rewriting the file atomically: a crash never leaves half a row.</summary>
    public void Append(EpochMetrics row)
    {
        if (row.ValClassIoU.Count != ClassNames.Count)
            throw new ArgumentException($"{Path}: epoch {row.Epoch} has {row.ValClassIoU.Count} class IoUs, expected {ClassNames.Count} ({string.Join(", ", ClassNames)})");
        AtomicFile.WriteAllText(Path, File.ReadAllText(Path) + FormatRow(row) + "\n");
    }

    /// <summary>Every row of a metrics file whose header matches <paramref name="classNames"/>.</summary>
    public static IReadOnlyList<EpochMetrics> Read(string path, IReadOnlyList<string> classNames)
    {
        var lines = File.ReadAllLines(path);
        var expected = HeaderFor(classNames);
        if (lines.Length == 0 || lines[0] != expected)
            throw new InvalidDataException($"{path}: header '{(lines.Length == 0 ? "" : lines[0])}', expected '{expected}'");
        return lines.Skip(1).Where(l => l.Length > 0).Select((l, i) => ParseRow(l, classNames.Count, path, i + 2)).ToList();
    }

    /// <summary>The class names a metrics file was written with, read back from its header.</summary>
    public static IReadOnlyList<string> ReadClassNames(string path)
    {
        var header = File.ReadLines(path).FirstOrDefault()
            ?? throw new InvalidDataException($"{path}: empty file, expected a metrics.csv header");
        var columns = header.Split(',');
        if (columns.Length < FixedLeading + FixedTrailing)
            throw new InvalidDataException($"{path}: header has {columns.Length} columns, expected at least {FixedLeading + FixedTrailing}");
        return columns[FixedLeading..^FixedTrailing].Select(c => c.StartsWith("iou_") ? c[4..] : c).ToList();
    }

    private void Rewrite(IEnumerable<EpochMetrics> rows)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var row in rows) text.Append(FormatRow(row)).Append('\n');
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (directory is not null) Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path, text.ToString());
    }

    private static string HeaderFor(IReadOnlyList<string> classNames)
    {
        foreach (var name in classNames)
        {
            if (name.Length == 0 || name.Any(c => c is ',' or '"' or '\n' or '\r'))
                throw new ArgumentException($"metrics.csv: class name '{name}' must be non-empty and free of commas, quotes and newlines");
        }
        return string.Join(',', ["epoch", "step", "train_loss", "train_acc", "val_loss", "val_acc", "val_miou",
            .. classNames.Select(n => "iou_" + n), "lr", "images_per_s", "seconds"]);
    }

    private static string FormatRow(EpochMetrics r) => string.Join(',', [
        r.Epoch.ToString(CultureInfo.InvariantCulture), r.Step.ToString(CultureInfo.InvariantCulture),
        Number(r.TrainLoss), Number(r.TrainAccuracy), Number(r.ValLoss), Number(r.ValAccuracy), Number(r.ValMeanIoU),
        .. r.ValClassIoU.Select(Number), Number(r.LearningRate), Number(r.ImagesPerSecond), Number(r.Seconds)]);

    /// <summary>Ten significant digits; NaN (a metric not measured) as an empty cell, as pandas reads it.</summary>
    private static string Number(double value) => double.IsNaN(value) ? "" : value.ToString("G10", CultureInfo.InvariantCulture);

    private static EpochMetrics ParseRow(string line, int classes, string path, int lineNumber)
    {
        var cells = line.Split(',');
        int expected = FixedLeading + classes + FixedTrailing;
        if (cells.Length != expected)
            throw new InvalidDataException($"{path}:{lineNumber}: {cells.Length} columns, expected {expected}");
        double Cell(int i)
        {
            if (cells[i].Length == 0) return double.NaN;
            if (double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return v;
            throw new InvalidDataException($"{path}:{lineNumber}: column {i + 1} '{cells[i]}' is not a number");
        }
        return new EpochMetrics(
            Epoch: (int)Cell(0), Step: (long)Cell(1),
            TrainLoss: Cell(2), TrainAccuracy: Cell(3), ValLoss: Cell(4), ValAccuracy: Cell(5), ValMeanIoU: Cell(6),
            ValClassIoU: Enumerable.Range(FixedLeading, classes).Select(Cell).ToList(),
            LearningRate: Cell(expected - 3), ImagesPerSecond: Cell(expected - 2), Seconds: Cell(expected - 1));
    }
}
