using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using System.Text.RegularExpressions;

namespace PetSeg.Data;

/// <summary>
/// A data set decoded and resized once, on disk: the uint8 RGB images and class ids of every usable sample at one
/// size, memory-mapped, so later epochs never decode a JPEG. <see cref="OpenOrBuild"/> reuses a cache only when its
/// key (folder, size, method, file list with sizes and times) matches and its checksums hold; otherwise it rebuilds.
/// Reading (<see cref="Image"/>, <see cref="Mask"/>) is thread-safe; dispose only when no reader is left.
/// </summary>
public sealed unsafe class SampleCache : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _data;
    private readonly long _recordBytes;
    private bool _disposed;

    private SampleCache(string path, CacheTrailer trailer, long dataLength, MemoryMappedFile map, MemoryMappedViewAccessor view)
    {
        Path = path;
        Width = trailer.Width;
        Height = trailer.Height;
        Method = trailer.Method;
        Samples = trailer.Samples;
        Skipped = trailer.Skipped;
        _recordBytes = trailer.RecordBytes;
        _map = map;
        _view = view;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _data = pointer + view.PointerOffset;
        DataLength = dataLength;
    }

    public string Path { get; }
    public int Width { get; }
    public int Height { get; }
    public ResizeMethod Method { get; }
    public long DataLength { get; }

    /// <summary>The cached samples, in data-set order.</summary>
    public IReadOnlyList<CachedSample> Samples { get; }

    public int Count => Samples.Count;

    /// <summary>Samples that failed to decode when the cache was built (listing-time skips are on the data set).</summary>
    public IReadOnlyList<SkippedSample> Skipped { get; }

    /// <summary>Null when an existing cache was reused; otherwise why it was (re)built ("no cache file", "stale: ...").</summary>
    public string? BuildReason { get; private set; }

    /// <summary>Indices of the samples of one split, ascending: what a loader iterates over.</summary>
    public int[] IndicesOf(DatasetSplit split) =>
        Enumerable.Range(0, Count).Where(i => Samples[i].Split == split).ToArray();

    /// <summary>RGB bytes [Height, Width, 3] of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index) => new(Record(index), Width * Height * 3);

    /// <summary>Class ids [Height, Width] of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Mask(int index) => new(Record(index) + Width * Height * 3, Width * Height);

    private byte* Record(int index)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"sample {index} of a {Count}-sample cache");
        return _data + index * _recordBytes;
    }

    /// <summary>
    /// Opens the cache of <paramref name="dataset"/> at the size of <paramref name="settings"/>, building it first
    /// when it is missing, stale or damaged. <paramref name="progress"/> hears about each decoded chunk while building.
    /// </summary>
    public static SampleCache OpenOrBuild(ISegmentationDataset dataset, CacheSettings settings, Action<CacheProgress>? progress = null)
    {
        settings.Validate();
        Directory.CreateDirectory(settings.Directory);
        StaleFiles.RemoveOfDeadProcesses(settings.Directory, SampleCacheBuilder.TemporaryFile);
        string path = System.IO.Path.Combine(System.IO.Path.GetFullPath(settings.Directory), CacheKey.FileName(dataset, settings));
        byte[] key = CacheKey.Compute(dataset, settings);
        string reason;
        if (!File.Exists(path))
        {
            reason = "no cache file";
        }
        else
        {
            try
            {
                return Open(path, key);
            }
            catch (InvalidDataException e)
            {
                reason = $"stale or damaged: {e.Message}";
            }
        }
        CacheSpace.Check(dataset.Samples.Count, settings);
        SampleCacheBuilder.Build(dataset, settings, key, path, progress);
        var built = Open(path, key);
        built.BuildReason = reason;
        return built;
    }

    /// <summary>Opens a cache file and checks it against <paramref name="expectedKey"/> and its checksums.</summary>
    private static SampleCache Open(string path, byte[] expectedKey)
    {
        CacheTrailer trailer;
        long dataLength;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            try
            {
                (trailer, dataLength) = CacheTrailer.Read(file);
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException($"{path}: truncated trailer");
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{path}: {e.Message}");
            }
        }
        if (!trailer.Key.AsSpan().SequenceEqual(expectedKey))
            throw new InvalidDataException($"{path}: built from other files, another size or another version");
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = map.CreateViewAccessor(0, dataLength, MemoryMappedFileAccess.Read);
        var cache = new SampleCache(path, trailer, dataLength, map, view);
        if (cache.ComputeDataChecksum() != trailer.DataChecksum)
        {
            cache.Dispose();
            throw new InvalidDataException($"{path}: data checksum mismatch");
        }
        return cache;
    }

    private ulong ComputeDataChecksum()
    {
        var hash = new XxHash64();
        for (int i = 0; i < Count; i++) hash.Append(new ReadOnlySpan<byte>(Record(i), (int)_recordBytes));
        return hash.GetCurrentHashAsUInt64();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
