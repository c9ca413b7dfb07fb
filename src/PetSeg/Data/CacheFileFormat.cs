using System.IO.Hashing;
using System.Text;

namespace PetSeg.Data;

/// <summary>One cached sample's name and split (its pixels sit at index * RecordBytes in the data section).</summary>
public sealed record CachedSample(string Name, DatasetSplit Split);

/// <summary>
/// Layout of a cache file: the data section first (records of RGB bytes [H, W, 3] followed by class ids [H, W],
/// in sample order), then a trailer describing it, then a fixed 24-byte footer: trailer offset (int64), trailer
/// checksum (XxHash64) and the magic "PSEGCEND". The trailer comes last because which samples survive decoding is
/// only known once the data is written; a file cut short loses its footer and is rejected.
/// </summary>
internal sealed record CacheTrailer(
    byte[] Key, int Width, int Height, ResizeMethod Method, IReadOnlyList<CachedSample> Samples,
    IReadOnlyList<SkippedSample> Skipped, ulong DataChecksum)
{
    public const int FooterBytes = 24;
    private static readonly byte[] TrailerMagic = "PSEGCACH"u8.ToArray();
    private static readonly byte[] FooterMagic = "PSEGCEND"u8.ToArray();

    public long RecordBytes => (long)Width * Height * 4;

    public void WriteWithFooter(Stream stream, long dataLength)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(TrailerMagic);
            w.Write(CacheKey.FormatVersion);
            w.Write(Key);
            w.Write(Width);
            w.Write(Height);
            w.Write((int)Method);
            w.Write(Samples.Count);
            foreach (var s in Samples)
            {
                w.Write(s.Name);
                w.Write((byte)s.Split);
            }
            w.Write(Skipped.Count);
            foreach (var s in Skipped)
            {
                w.Write(s.Name);
                w.Write(s.File);
                w.Write((byte)s.Reason);
                w.Write(s.Detail);
            }
            w.Write(DataChecksum);
        }
        var trailer = buffer.ToArray();
        stream.Write(trailer);
        using var footer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        footer.Write(dataLength);
        footer.Write(XxHash64.HashToUInt64(trailer));
        footer.Write(FooterMagic);
    }

    /// <summary>Reads and checks the trailer; returns it with the data section's length. Throws InvalidDataException naming the problem.</summary>
    public static (CacheTrailer Trailer, long DataLength) Read(FileStream file)
    {
        if (file.Length < FooterBytes) throw new InvalidDataException($"{file.Length} bytes, too short for a cache file");
        var footerBytes = new byte[FooterBytes];
        file.Seek(-FooterBytes, SeekOrigin.End);
        file.ReadExactly(footerBytes);
        if (!footerBytes.AsSpan(16).SequenceEqual(FooterMagic)) throw new InvalidDataException("no end marker (incomplete write?)");
        long dataLength = BitConverter.ToInt64(footerBytes, 0);
        ulong trailerChecksum = BitConverter.ToUInt64(footerBytes, 8);
        long trailerLength = file.Length - FooterBytes - dataLength;
        if (dataLength < 0 || trailerLength <= 0 || trailerLength > int.MaxValue)
            throw new InvalidDataException($"footer gives a data section of {dataLength} bytes in a {file.Length}-byte file");
        var trailerBytes = new byte[trailerLength];
        file.Seek(dataLength, SeekOrigin.Begin);
        file.ReadExactly(trailerBytes);
        if (XxHash64.HashToUInt64(trailerBytes) != trailerChecksum) throw new InvalidDataException("trailer checksum mismatch");

        using var r = new BinaryReader(new MemoryStream(trailerBytes), Encoding.UTF8);
        if (!r.ReadBytes(TrailerMagic.Length).AsSpan().SequenceEqual(TrailerMagic)) throw new InvalidDataException("bad trailer magic");
        int version = r.ReadInt32();
        if (version != CacheKey.FormatVersion) throw new InvalidDataException($"format version {version}, expected {CacheKey.FormatVersion}");
        byte[] key = r.ReadBytes(32);
        int width = r.ReadInt32(), height = r.ReadInt32();
        var method = (ResizeMethod)r.ReadInt32();
        var samples = new CachedSample[r.ReadInt32()];
        for (int i = 0; i < samples.Length; i++) samples[i] = new CachedSample(r.ReadString(), (DatasetSplit)r.ReadByte());
        var skipped = new SkippedSample[r.ReadInt32()];
        for (int i = 0; i < skipped.Length; i++)
            skipped[i] = new SkippedSample(r.ReadString(), r.ReadString(), (SkipReason)r.ReadByte(), r.ReadString());
        var trailer = new CacheTrailer(key, width, height, method, samples, skipped, r.ReadUInt64());
        if (trailer.RecordBytes * samples.Length != dataLength)
            throw new InvalidDataException(
                $"data section is {dataLength} bytes, expected {samples.Length} samples x {trailer.RecordBytes} bytes");
        return (trailer, dataLength);
    }
}
