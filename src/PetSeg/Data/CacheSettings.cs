using System.Security.Cryptography;
using System.Text;

namespace PetSeg.Data;

/// <summary>Where and at what size samples are cached.</summary>
/// <param name="Directory">Folder for cache files (created if missing).</param>
/// <param name="Threads">Decoding threads while building; 0 = one per core.</param>
public sealed record CacheSettings(string Directory, int Width, int Height, ResizeMethod Method = ResizeMethod.Bilinear, int Threads = 0)
{
    public void Validate()
    {
        if (Width is <= 0 or > 8192 || Height is <= 0 or > 8192)
            throw new ArgumentException($"cache image size {Width}x{Height}, expected 1..8192 per side");
        if (Threads < 0) throw new ArgumentException($"cache build threads {Threads}, expected 0 (one per core) or more");
    }
}

/// <summary>Build progress: samples decoded so far out of the total.</summary>
public readonly record struct CacheProgress(int Done, int Total);

/// <summary>
/// What a cache file must have been built from: layout, folder, size, resize method, mask encoding and, for
/// every sample, its name, split, paths, byte sizes and modification times. Any change makes the cache stale.
/// </summary>
internal static class CacheKey
{
    /// <summary>2: checksums are XxHash64 (version 1 had a hand-written hash; its files are rebuilt, not misread).</summary>
    public const int FormatVersion = 2;

    public static byte[] Compute(ISegmentationDataset dataset, CacheSettings settings)
    {
        var text = new StringBuilder();
        text.Append($"petseg-cache v{FormatVersion}\n{dataset.Kind}\n{dataset.Root}\n{settings.Width}x{settings.Height} {settings.Method}\n");
        text.Append($"mask offset {dataset.Mask.Offset} classes {dataset.Mask.ClassCount}\n");
        foreach (var s in dataset.Samples)
            text.Append($"{s.Name}\t{s.Split}\t{Describe(s.ImagePath)}\t{Describe(s.MaskPath)}\n");
        return SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>Cache file name: one per layout, folder and size, so a stale file is overwritten, not piled up.</summary>
    public static string FileName(ISegmentationDataset dataset, CacheSettings settings)
    {
        string folderHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(dataset.Root)))[..8].ToLowerInvariant();
        return $"{dataset.Kind}-{folderHash}-{settings.Width}x{settings.Height}-{settings.Method.ToString().ToLowerInvariant()}.pscache";
    }

    private static string Describe(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? $"{path}|{info.Length}|{info.LastWriteTimeUtc.Ticks}" : $"{path}|missing";
    }
}
