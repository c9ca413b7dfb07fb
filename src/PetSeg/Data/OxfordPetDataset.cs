namespace PetSeg.Data;

/// <summary>
/// The Oxford-IIIT Pet layout: <c>images/NAME.jpg</c>, <c>annotations/trimaps/NAME.png</c> (1 pet, 2 background,
/// 3 border), splits from <c>annotations/trainval.txt</c> (train) and <c>annotations/test.txt</c> (test), lines
/// <c>Image CLASS-ID SPECIES BREED-ID</c> with '#' comments. Labels become 0, 1, 2. The synthetic pets are written
/// in this layout, so this reader serves them too.
/// </summary>
public sealed class OxfordPetDataset : ISegmentationDataset
{
    public const string TrainListFile = "annotations/trainval.txt";
    public const string TestListFile = "annotations/test.txt";

    private static readonly string[] Classes = ["pet", "background", "border"];

    public static int ClassCount => Classes.Length;

    private OxfordPetDataset(string root, List<SampleRef> samples, List<SkippedSample> skipped)
    {
        Root = root;
        Samples = samples;
        Skipped = skipped;
    }

    public string Kind => "oxford";
    public string Root { get; }
    public MaskEncoding Mask { get; } = new(Offset: 1, ClassCount: Classes.Length);
    public IReadOnlyList<string> ClassNames => Classes;
    public IReadOnlyList<SampleRef> Samples { get; }
    public IReadOnlyList<SkippedSample> Skipped { get; }

    /// <summary>Lists the samples of both split files; throws when the folder or a list file is missing or empty.</summary>
    public static OxfordPetDataset Open(string root)
    {
        root = DatasetFolders.RequireDirectory(root, "Oxford-IIIT Pet data set");
        string images = DatasetFolders.RequireDirectory(Path.Combine(root, "images"), "Oxford-IIIT Pet images folder");
        string trimaps = DatasetFolders.RequireDirectory(Path.Combine(root, "annotations", "trimaps"),
            "Oxford-IIIT Pet trimaps folder");
        var samples = new List<SampleRef>();
        var skipped = new List<SkippedSample>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (listFile, split) in new[] { (TrainListFile, DatasetSplit.Train), (TestListFile, DatasetSplit.Test) })
        {
            foreach (string name in ReadSplitList(Path.Combine(root, listFile)))
            {
                if (!seen.Add(name)) continue; // listed twice: the first split wins
                var sample = new SampleRef(name, Path.Combine(images, name + ".jpg"), Path.Combine(trimaps, name + ".png"), split);
                if (!File.Exists(sample.ImagePath))
                    skipped.Add(new SkippedSample(name, sample.ImagePath, SkipReason.MissingImage, "image file not found"));
                else if (!File.Exists(sample.MaskPath))
                    skipped.Add(new SkippedSample(name, sample.MaskPath, SkipReason.MissingMask, "trimap file not found"));
                else
                    samples.Add(sample);
            }
        }
        if (samples.Count == 0)
            throw new InvalidDataException(
                $"{root}: no usable samples in {TrainListFile} and {TestListFile} ({skipped.Count} listed samples lack files)");
        return new OxfordPetDataset(root, samples, skipped);
    }

    /// <summary>
    /// Image names of one split file: the first token of every line that is neither blank nor a '#' comment.
    /// </summary>
    public static List<string> ReadSplitList(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: split list not found", path);
        var names = new List<string>();
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            int end = line.IndexOfAny([' ', '\t']);
            string name = end < 0 ? line : line[..end];
            if (name.IndexOfAny(['/', '\\']) >= 0 || name is "." or "..")
                throw new InvalidDataException($"{path}:{lineNumber}: image name '{name}' must be a plain file stem");
            names.Add(name);
        }
        if (names.Count == 0) throw new InvalidDataException($"{path}: split list has no image names");
        return names;
    }
}
