using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace PetSeg.Codecs;

/// <summary>The IHDR fields that decide how a PNG decodes.</summary>
internal readonly record struct PngHeader(int Width, int Height, int BitDepth, int ColorType, bool Interlaced);

/// <summary>
/// The chunk structure of a PNG file, checked: lengths, CRCs, IHDR, the zlib header of the image data, IEND.
/// libpng (inside SkiaSharp) decodes the pixels; this walk exists to refuse absurd sizes before any pixel memory is
/// allocated and to say what is wrong with a damaged file (Skia only reports "invalid input").
/// </summary>
internal sealed class PngChunks
{
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public required PngHeader Header { get; init; }
    public bool HasTransparency { get; init; }

    /// <summary>Byte ranges of the IDAT chunks, whole (length, type, payload, CRC), in file order.</summary>
    public required IReadOnlyList<Range> ImageDataChunks { get; init; }

    public static PngChunks Read(ReadOnlySpan<byte> data, long maxPixels)
    {
        if (data.Length < 8 || !data[..8].SequenceEqual(Signature))
            throw new CodecException("not a PNG file (bad signature)");
        PngHeader? header = null;
        bool palette = false, transparency = false;
        var imageData = new List<Range>();
        int position = 8;
        while (true)
        {
            if (position + 8 > data.Length)
                throw new CodecException($"PNG data truncated at byte {position}: no IEND chunk");
            int length = BinaryPrimitives.ReadInt32BigEndian(data[position..]);
            var typeBytes = data.Slice(position + 4, 4);
            string type = Encoding.ASCII.GetString(typeBytes);
            if (length < 0 || (long)position + 12 + length > data.Length)
                throw new CodecException($"PNG data truncated in chunk {type} at byte {position} (length {length})");
            var typeAndPayload = data.Slice(position + 4, 4 + length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data[(position + 8 + length)..]);
            uint computed = Crc32.HashToUInt32(typeAndPayload);
            if (stored != computed)
                throw new CodecException($"PNG chunk {type} at byte {position} has CRC {stored:X8}, computed {computed:X8} (corrupt)");
            var payload = typeAndPayload[4..];
            if (header is null && type != "IHDR") throw new CodecException($"PNG first chunk is {type}, expected IHDR");
            switch (type)
            {
                case "IHDR":
                    if (header is not null) throw new CodecException($"PNG has a second IHDR chunk at byte {position}");
                    header = ReadHeader(payload, maxPixels);
                    break;
                case "PLTE":
                    if (length % 3 != 0 || length > 256 * 3)
                        throw new CodecException($"PNG PLTE has {length} bytes, expected a multiple of 3 up to 768");
                    palette = true;
                    break;
                case "tRNS":
                    transparency = true;
                    break;
                case "IDAT":
                    if (imageData.Count == 0) CheckZlibHeader(payload);
                    imageData.Add(position..(position + 12 + length));
                    break;
                case "IEND":
                    if (imageData.Count == 0) throw new CodecException("PNG has no IDAT chunk (no image data)");
                    if (header!.Value.ColorType == 3 && !palette)
                        throw new CodecException("PNG colour type 3 (palette) without a PLTE chunk");
                    return new PngChunks { Header = header.Value, HasTransparency = transparency, ImageDataChunks = imageData };
                default:
                    // Ancillary chunks (lower-case first letter) may be ignored; critical ones may not.
                    if (!char.IsAsciiLetterLower(type[0])) throw new CodecException($"PNG unknown critical chunk {type}");
                    break;
            }
            position += 12 + length;
        }
    }

    private static PngHeader ReadHeader(ReadOnlySpan<byte> p, long maxPixels)
    {
        if (p.Length != 13) throw new CodecException($"PNG IHDR has {p.Length} bytes, expected 13");
        long width = BinaryPrimitives.ReadUInt32BigEndian(p), height = BinaryPrimitives.ReadUInt32BigEndian(p[4..]);
        int depth = p[8], colorType = p[9];
        PixelLimit.Check("PNG", width, height, maxPixels);
        bool valid = colorType switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => false,
        };
        if (!valid) throw new CodecException($"PNG colour type {colorType} with bit depth {depth} is not a valid combination");
        if (p[10] != 0 || p[11] != 0)
            throw new CodecException($"PNG compression method {p[10]} / filter method {p[11]}, expected 0 / 0");
        if (p[12] > 1) throw new CodecException($"PNG interlace method {p[12]}, expected 0 or 1");
        return new PngHeader((int)width, (int)height, depth, colorType, p[12] == 1);
    }

    /// <summary>Writes one chunk: length, type, payload, CRC-32 of type and payload.</summary>
    public static void Write(Stream file, ReadOnlySpan<byte> type, ReadOnlySpan<byte> payload)
    {
        Span<byte> field = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(field, payload.Length);
        file.Write(field);
        file.Write(type);
        file.Write(payload);
        var crc = new Crc32();
        crc.Append(type);
        crc.Append(payload);
        BinaryPrimitives.WriteUInt32BigEndian(field, crc.GetCurrentHashAsUInt32());
        file.Write(field);
    }

    /// <summary>RFC 1950: method 8 (deflate), window up to 32 KB, header check bits, no preset dictionary.</summary>
    private static void CheckZlibHeader(ReadOnlySpan<byte> firstImageData)
    {
        if (firstImageData.Length < 2) return; // the header may straddle IDAT chunks; libpng checks it then
        int cmf = firstImageData[0], flags = firstImageData[1];
        string problem = (cmf & 15) != 8 ? $"compression method {cmf & 15}, expected 8 (deflate)"
            : (cmf >> 4) > 7 ? $"window size 2^{(cmf >> 4) + 8}, at most 2^15"
            : (cmf * 256 + flags) % 31 != 0 ? "header check bits are wrong"
            : (flags & 0x20) != 0 ? "it asks for a preset dictionary, which PNG forbids"
            : "";
        if (problem.Length > 0)
            throw new CodecException($"PNG image data is not a valid zlib stream: header {cmf:X2}{flags:X2}, {problem}");
    }
}
