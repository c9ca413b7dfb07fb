namespace PetSeg.Data;

/// <summary>Which part of a data set a sample belongs to.</summary>
public enum DatasetSplit
{
    Train,
    Test,
}

/// <summary>One image and its mask, as listed by a data set; nothing is decoded yet.</summary>
/// <param name="Name">Stable sample name (file stem, e.g. "Abyssinian_12"), used in reports and predictions.</param>
public sealed record SampleRef(string Name, string ImagePath, string MaskPath, DatasetSplit Split);

/// <summary>Why a sample was left out.</summary>
public enum SkipReason
{
    MissingImage,
    MissingMask,
    SizeMismatch,
    UnsupportedFormat,
    CorruptFile,
    BadLabel,
}

/// <summary>A sample that was left out, with the offending file and what was wrong with it.</summary>
public sealed record SkippedSample(string Name, string File, SkipReason Reason, string Detail)
{
    public override string ToString() => $"{Name}: {Reason} ({File}): {Detail}";

    /// <summary>
    /// "2 skipped: 1 CorruptFile, 1 MissingMask" — one line for a console report; with <paramref name="examples"/>,
    /// the first that many files follow with their reasons ("first: dog_1.jpg CorruptFile (...)"); report.md lists all.
    /// </summary>
    public static string Summarize(IReadOnlyCollection<SkippedSample> skipped, int examples = 0)
    {
        if (skipped.Count == 0) return "0 skipped";
        string counts = $"{skipped.Count} skipped: " + string.Join(", ", skipped.GroupBy(s => s.Reason).OrderBy(g => g.Key)
            .Select(g => $"{g.Count()} {g.Key}"));
        if (examples <= 0) return counts;
        var first = skipped.Take(examples).Select(s => $"{System.IO.Path.GetFileName(s.File)} {s.Reason} ({s.Detail})");
        string more = skipped.Count > examples ? $", {skipped.Count - examples} more in report.md" : "";
        return $"{counts}; first: {string.Join(", ", first)}{more}";
    }
}

/// <summary>How a data set stores class ids in its mask files.</summary>
/// <param name="Offset">Subtracted from every stored value (Oxford trimaps store 1..3 for classes 0..2).</param>
/// <param name="ClassCount">Class ids after the offset must lie in [0, ClassCount).</param>
public sealed record MaskEncoding(int Offset, int ClassCount);

/// <summary>
/// A segmentation data set in some on-disk layout, reduced to what the pipeline needs: the listed samples with
/// their splits, the samples already known to be unusable, and how masks encode classes.
/// </summary>
public interface ISegmentationDataset
{
    /// <summary>Layout name used in cache file names and reports ("oxford", "clothing").</summary>
    string Kind { get; }

    /// <summary>The data set folder as given (full path).</summary>
    string Root { get; }

    MaskEncoding Mask { get; }

    IReadOnlyList<string> ClassNames { get; }

    /// <summary>Every usable-looking sample of every split, in a fixed order (list-file or sorted-name order).</summary>
    IReadOnlyList<SampleRef> Samples { get; }

    /// <summary>Samples dropped while listing (missing image or mask); decoding may drop more.</summary>
    IReadOnlyList<SkippedSample> Skipped { get; }
}
