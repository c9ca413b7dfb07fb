using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using PetSeg.Codecs;
using PetSeg.Data.Synthetic;

namespace PetSeg.Data;

/// <summary>What <c>.complete</c> records: the dataset a folder holds, written after every other file.</summary>
/// <param name="Fingerprint">Hash of image 0's pixels and trimap: a renderer change that forgot to bump
/// <see cref="SyntheticCache.GeneratorVersion"/> still invalidates the cache.</param>
public sealed record SyntheticMarker(int Count, int Seed, int Version, string Fingerprint, int Trainval, int Test);

/// <summary>
/// Synthetic pet datasets on disk, in the exact Oxford-IIIT Pet layout (<c>images/&lt;name&gt;.jpg</c>,
/// <c>annotations/trimaps/&lt;name&gt;.png</c>, <c>annotations/{list,trainval,test}.txt</c>), so the Oxford reader
/// reads them unchanged. A folder is complete only when its <c>.complete</c> marker exists and matches: the marker is
/// written last, so a folder left half-written by a crash or Ctrl-C is recognised and regenerated.
/// </summary>
public static class SyntheticCache
{
    /// <summary>Bump when the renderer, the dataset plan or the file encoding changes what a (count, seed) yields.</summary>
    public const int GeneratorVersion = 2;

    public const string MarkerFile = ".complete";
    public const int JpegQuality = 90;

    /// <summary>The staging folders of <see cref="Ensure"/>: <c>synthetic-...partial-PID</c>.</summary>
    private static readonly Regex StagingFolder = new(@"^synthetic-.*\.partial-(?<pid>\d+)$");

    private static readonly string[] OwnedEntries = ["images", "annotations", MarkerFile];
    private static readonly JsonSerializerOptions MarkerJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>
    /// The cache root: <c>$PETSEG_CACHE</c>, else <c>$XDG_CACHE_HOME/petseg</c>, else <c>~/.cache/petseg</c>.
    /// </summary>
    public static string DefaultRoot()
    {
        var explicitRoot = Environment.GetEnvironmentVariable("PETSEG_CACHE");
        if (!string.IsNullOrEmpty(explicitRoot)) return explicitRoot;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var cacheHome = !string.IsNullOrEmpty(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cacheHome, "petseg");
    }

    /// <summary>Folder name of a cached dataset: <c>synthetic-&lt;count&gt;-&lt;seed&gt;-v&lt;version&gt;</c>.</summary>
    public static string FolderName(int count, int seed) => $"synthetic-{count}-{seed}-v{GeneratorVersion}";

    /// <summary>
    /// Returns the folder of the (count, seed) dataset under <paramref name="cacheRoot"/> (default
    /// <see cref="DefaultRoot"/>), generating it first unless a complete, matching copy is already there. Generation
    /// happens in a private sibling folder that is renamed into place, so two processes asking at once never see
    /// each other's half-written files; such folders left by killed processes are removed here.
    /// </summary>
    public static string Ensure(string? cacheRoot, int count, int seed, Action<int>? onImageWritten = null)
    {
        cacheRoot ??= DefaultRoot();
        var folder = Path.Combine(cacheRoot, FolderName(count, seed));
        StaleFiles.RemoveOfDeadProcesses(cacheRoot, StagingFolder);
        if (IsComplete(folder, count, seed)) return folder;

        Directory.CreateDirectory(cacheRoot);
        var staging = $"{folder}.partial-{Environment.ProcessId}";
        Write(staging, count, seed, onImageWritten);
        if (Directory.Exists(folder))
        {
            if (IsComplete(folder, count, seed))
            {
                // Another process finished the same dataset while this one rendered; theirs is identical.
                Directory.Delete(staging, recursive: true);
                return folder;
            }
            Directory.Delete(folder, recursive: true);
        }
        try
        {
            Directory.Move(staging, folder);
        }
        catch (IOException) when (IsComplete(folder, count, seed))
        {
            Directory.Delete(staging, recursive: true);
        }
        return folder;
    }

    /// <summary>True when <paramref name="folder"/> holds a finished dataset of this count, seed and generator.</summary>
    public static bool IsComplete(string folder, int count, int seed)
    {
        var marker = ReadMarker(folder);
        return marker is not null && marker.Count == count && marker.Seed == seed && marker.Version == GeneratorVersion
            && marker.Fingerprint == Fingerprint(seed);
    }

    /// <summary>The folder's marker, or null when it has none or an unreadable one (both mean: not complete).</summary>
    public static SyntheticMarker? ReadMarker(string folder)
    {
        var path = Path.Combine(folder, MarkerFile);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<SyntheticMarker>(File.ReadAllText(path), MarkerJson);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Renders and writes the dataset into <paramref name="folder"/>, images in parallel over all cores, and the
    /// marker last. The folder must be empty, missing, or an earlier synthetic dataset (complete or not), which is
    /// replaced; anything else is refused rather than mixed with pets.
    /// </summary>
    /// <param name="onImageWritten">Called (from worker threads) with the number of images written so far.</param>
    public static SyntheticMarker Write(string folder, int count, int seed, Action<int>? onImageWritten = null)
    {
        var plan = new SyntheticPetDataset(count, seed);
        PrepareFolder(folder);
        var images = Directory.CreateDirectory(Path.Combine(folder, "images")).FullName;
        var annotations = Directory.CreateDirectory(Path.Combine(folder, "annotations")).FullName;
        var trimaps = Directory.CreateDirectory(Path.Combine(annotations, "trimaps")).FullName;

        int written = 0;
        Parallel.ForEach(plan.Entries, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, entry =>
        {
            var pet = plan.Render(entry);
            File.WriteAllBytes(Path.Combine(images, pet.Name + ".jpg"),
                JpegEncoder.Encode(new Image8(pet.Width, pet.Height, 3, pet.Rgb), JpegQuality));
            // Oxford's trimaps are 8-bit grayscale PNGs holding 1, 2 and 3.
            File.WriteAllBytes(Path.Combine(trimaps, pet.Name + ".png"), PngEncoder.Encode(new Image8(pet.Width, pet.Height, 1, pet.Trimap)));
            onImageWritten?.Invoke(Interlocked.Increment(ref written));
        });

        File.WriteAllText(Path.Combine(annotations, "list.txt"), plan.ListText());
        File.WriteAllText(Path.Combine(annotations, "trainval.txt"), plan.TrainvalText());
        File.WriteAllText(Path.Combine(annotations, "test.txt"), plan.TestText());

        var marker = new SyntheticMarker(count, seed, GeneratorVersion, Fingerprint(seed), plan.Trainval.Count(), plan.Test.Count());
        File.WriteAllText(Path.Combine(folder, MarkerFile), JsonSerializer.Serialize(marker, MarkerJson));
        return marker;
    }

    private static void PrepareFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
            return;
        }
        var foreign = Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName)
            .FirstOrDefault(name => !OwnedEntries.Contains(name));
        if (foreign is not null)
            throw new IOException($"{folder}: holds '{foreign}', expected an empty folder or an earlier synthetic dataset " +
                "(images/, annotations/, .complete); choose another folder");
        // The marker goes first: if deleting or rewriting stops half-way, the folder must not claim to be complete.
        File.Delete(Path.Combine(folder, MarkerFile));
        foreach (var owned in new[] { "images", "annotations" })
        {
            var path = Path.Combine(folder, owned);
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>First 16 hex digits of SHA-256 over image 0's pixels and trimap.</summary>
    private static string Fingerprint(int seed)
    {
        var pet = new SyntheticPetRenderer().Render(0, seed);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(pet.Rgb);
        hash.AppendData(pet.Trimap);
        return Convert.ToHexString(hash.GetHashAndReset())[..16];
    }
}
