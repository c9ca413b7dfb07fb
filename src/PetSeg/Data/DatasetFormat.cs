namespace PetSeg.Data;

/// <summary>The on-disk layouts <c>--format</c> accepts.</summary>
public enum DatasetFormat
{
    Oxford,
    Clothing,

    /// <summary>Generated pets, written in the Oxford layout and read by <see cref="OxfordPetDataset"/>.</summary>
    Synthetic,
}

public static class SegmentationDatasets
{
    /// <summary>Opens <paramref name="root"/> with the reader of <paramref name="format"/>.</summary>
    /// <param name="splitSeed">Seed of the 80/20 split for layouts without split files (clothing).</param>
    public static ISegmentationDataset Open(DatasetFormat format, string root, ulong splitSeed = 0) => format switch
    {
        DatasetFormat.Oxford or DatasetFormat.Synthetic => OxfordPetDataset.Open(root),
        DatasetFormat.Clothing => ClothingDataset.Open(root, splitSeed),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown data set format"),
    };

    /// <summary>The classes every data set of <paramref name="format"/> has, known before it is opened.</summary>
    public static int ClassCount(DatasetFormat format) => format switch
    {
        DatasetFormat.Oxford or DatasetFormat.Synthetic => OxfordPetDataset.ClassCount,
        DatasetFormat.Clothing => ClothingDataset.ClassCount,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown data set format"),
    };

    /// <summary>Parses "oxford", "clothing" or "synthetic" (any case).</summary>
    public static DatasetFormat ParseFormat(string text) =>
        Enum.TryParse<DatasetFormat>(text, ignoreCase: true, out var format) && Enum.IsDefined(format)
            ? format
            : throw new ArgumentException($"data set format '{text}', expected oxford, clothing or synthetic");
}
