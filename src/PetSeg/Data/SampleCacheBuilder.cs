using System.IO.Hashing;
using System.Text.RegularExpressions;

namespace PetSeg.Data;

/// <summary>
/// Decodes and resizes every sample of a data set into a cache file. Samples are decoded in parallel in chunks
/// and written in data-set order, so the file is the same whatever the thread count. The file is written under a
/// temporary name and renamed at the end: a crash never leaves a half-written cache behind the real name.
/// </summary>
internal static class SampleCacheBuilder
{
    private const int ChunkPerThread = 8;

    /// <summary>The file a build writes before renaming it: <c>NAME.pscache.PID.tmp</c>.</summary>
    public static readonly Regex TemporaryFile = new(@"\.pscache\.(?<pid>\d+)\.tmp$");

    /// <summary>Samples decoded at once while building: what a build holds in memory besides the decoders.</summary>
    public static int ChunkSize(CacheSettings settings) => (settings.Threads > 0 ? settings.Threads : Environment.ProcessorCount) * ChunkPerThread;

    public static void Build(ISegmentationDataset dataset, CacheSettings settings, byte[] key, string path,
        Action<CacheProgress>? progress)
    {
        int threads = settings.Threads > 0 ? settings.Threads : Environment.ProcessorCount;
        int total = dataset.Samples.Count;
        int recordBytes = checked(settings.Width * settings.Height * 4);
        var kept = new List<CachedSample>(total);
        var skipped = new List<SkippedSample>();
        var dataHash = new XxHash64();
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                int chunk = ChunkSize(settings);
                var records = new byte[chunk][];
                var problems = new SkippedSample?[chunk];
                for (int start = 0; start < total; start += chunk)
                {
                    int count = Math.Min(chunk, total - start);
                    Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads },
                        () => new ImageResizer(settings.Method),
                        (k, _, resizer) =>
                        {
                            records[k] = DecodeRecord(dataset.Samples[start + k], dataset.Mask, settings, resizer, recordBytes,
                                records[k], out problems[k]);
                            return resizer;
                        },
                        _ => { });
                    for (int k = 0; k < count; k++)
                    {
                        var sample = dataset.Samples[start + k];
                        if (problems[k] is { } problem)
                        {
                            skipped.Add(problem);
                            continue;
                        }
                        file.Write(records[k]);
                        dataHash.Append(records[k]);
                        kept.Add(new CachedSample(sample.Name, sample.Split));
                    }
                    progress?.Invoke(new CacheProgress(start + count, total));
                }
                if (kept.Count == 0)
                    throw new InvalidDataException(
                        $"{dataset.Root}: none of the {total} samples could be decoded ({SkippedSample.Summarize(skipped)}; first: {skipped[0]})");
                var trailer = new CacheTrailer(key, settings.Width, settings.Height, settings.Method, kept, skipped,
                    dataHash.GetCurrentHashAsUInt64());
                trailer.WriteWithFooter(file, (long)kept.Count * recordBytes);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>One record (RGB [H, W, 3] then ids [H, W]) in a reused buffer, or null with the reason.</summary>
    private static byte[] DecodeRecord(SampleRef sample, MaskEncoding encoding, CacheSettings settings, ImageResizer resizer,
        int recordBytes, byte[]? buffer, out SkippedSample? problem)
    {
        buffer ??= new byte[recordBytes];
        if (!SampleDecoder.TryDecode(sample, encoding, out var decoded, out problem)) return buffer;
        var image = decoded!.Image;
        int imageBytes = settings.Width * settings.Height * 3;
        resizer.Resize(new PixelView(image.Pixels, image.Width, image.Height, 3), buffer.AsSpan(0, imageBytes),
            settings.Width, settings.Height);
        MaskResizer.Nearest(new PixelView(decoded.Labels, image.Width, image.Height, 1), buffer.AsSpan(imageBytes),
            settings.Width, settings.Height);
        return buffer;
    }
}
