using System.Globalization;

namespace PetSeg.Data;

/// <summary>
/// The disk and memory a sample cache takes, checked before any sample is decoded: a cache too large for the disk,
/// for memory (the loader reads it at random every epoch, through a memory map), or a build whose parallel chunk of
/// decoded samples is too large, is refused with the numbers instead of failing after minutes of decoding.
/// </summary>
public static class CacheSpace
{
    /// <summary>Bytes per cached pixel: RGB plus the class id.</summary>
    public const int BytesPerPixel = 4;

    /// <summary>The cache file's size for <paramref name="samples"/> samples: the records plus a generous trailer (names, paths).</summary>
    public static long FileBytes(int samples, CacheSettings settings) =>
        (long)samples * settings.Width * settings.Height * BytesPerPixel + (long)samples * 1024 + (1 << 16);

    /// <summary>What a build holds in memory besides the decoders: one record per sample of a parallel chunk.</summary>
    public static long BuildMemoryBytes(CacheSettings settings) =>
        (long)SampleCacheBuilder.ChunkSize(settings) * settings.Width * settings.Height * BytesPerPixel;

    /// <summary>Throws when a cache of <paramref name="samples"/> samples does not fit the free disk space or memory.</summary>
    public static void Check(int samples, CacheSettings settings)
    {
        long need = FileBytes(samples, settings);
        string folder = ExistingAncestor(Path.GetFullPath(settings.Directory));
        long free = new DriveInfo(folder).AvailableFreeSpace;
        if (need > free)
            throw new IOException($"the sample cache of {samples} images at {settings.Width}x{settings.Height} needs {Gigabytes(need)} " +
                $"in {settings.Directory}, which has {Gigabytes(free)} free; use a smaller --image-size, free some space, or set PETSEG_CACHE to a larger disk");
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (need > available)
            throw new InsufficientMemoryException($"the sample cache of {samples} images at {settings.Width}x{settings.Height} needs {Gigabytes(need)}, " +
                $"more than the {Gigabytes(available)} of memory this process may use; the loader reads it at random every epoch, " +
                "so it must fit in memory: use a smaller --image-size");
        long memory = BuildMemoryBytes(settings);
        if (memory > available / 2)
            throw new InsufficientMemoryException($"building the sample cache at {settings.Width}x{settings.Height} holds " +
                $"{SampleCacheBuilder.ChunkSize(settings)} decoded samples of {Gigabytes((long)settings.Width * settings.Height * BytesPerPixel)} at once, " +
                $"{Gigabytes(memory)} in all, more than half of the {Gigabytes(available)} of memory this process may use; use a smaller --image-size");
    }

    private static string ExistingAncestor(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
            if (dir.Exists) return dir.FullName;
        return Path.GetPathRoot(folder) ?? "/";
    }

    /// <summary>"12.34 GB": how the checks state sizes.</summary>
    internal static string Gigabytes(long bytes) => (bytes / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB";
}
