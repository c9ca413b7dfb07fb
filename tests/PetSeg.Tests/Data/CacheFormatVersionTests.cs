using System.Buffers.Binary;
using System.IO.Hashing;
using PetSeg.Data;

namespace PetSeg.Tests.Data;

/// <summary>
/// Format 2 of the sample cache checksums with XxHash64; a file of another format is rebuilt, never read with the
/// wrong rules.
/// </summary>
public sealed class CacheFormatVersionTests
{
    [Fact]
    public void A_cache_of_format_1_is_rebuilt_and_says_why()
    {
        using var temp = new TempFolder();
        TinyDatasets.WriteCleanOxford(temp.Path, 3, 20, 16);
        var settings = new CacheSettings(temp.Combine("cache"), 8, 8);
        string path;
        using (var built = SampleCache.OpenOrBuild(OxfordPetDataset.Open(temp.Path), settings)) path = built.Path;

        // Relabel the file as format 1 with a valid trailer checksum, so only the version field is wrong.
        var bytes = File.ReadAllBytes(path);
        var (footer, trailer) = Layout(bytes);
        Assert.True(trailer.AsSpan().StartsWith("PSEGCACH"u8));
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(trailer.AsSpan(8)));
        BinaryPrimitives.WriteInt32LittleEndian(trailer.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(footer + 8), XxHash64.HashToUInt64(trailer));
        File.WriteAllBytes(path, bytes);

        using var rebuilt = SampleCache.OpenOrBuild(OxfordPetDataset.Open(temp.Path), settings);
        Assert.Contains("format version 1, expected 2", rebuilt.BuildReason);
        Assert.Equal(3, rebuilt.Samples.Count);
    }

    [Fact]
    public void The_trailer_checksum_is_xxhash64()
    {
        using var temp = new TempFolder();
        TinyDatasets.WriteCleanOxford(temp.Path, 3, 20, 16);
        using var cache = SampleCache.OpenOrBuild(OxfordPetDataset.Open(temp.Path), new CacheSettings(temp.Combine("cache"), 8, 8));
        var bytes = File.ReadAllBytes(cache.Path);
        var (footer, trailer) = Layout(bytes);
        Assert.Equal(XxHash64.HashToUInt64(trailer), BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(footer + 8)));
    }

    /// <summary>Where the 24-byte footer starts, and the trailer: from the end of the data section to the footer.</summary>
    private static (int Footer, ArraySegment<byte> Trailer) Layout(byte[] bytes)
    {
        int footer = bytes.Length - 24;
        int dataLength = (int)BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(footer));
        return (footer, new ArraySegment<byte>(bytes, dataLength, footer - dataLength));
    }
}
