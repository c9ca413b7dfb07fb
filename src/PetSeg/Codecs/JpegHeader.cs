using System.Buffers.Binary;

namespace PetSeg.Codecs;

/// <summary>
/// The frame header of a JPEG file, read by walking the marker segments up to the first scan. libjpeg-turbo (inside
/// SkiaSharp) decodes the file; this walk exists to refuse what it cannot decode, and absurd sizes, with a message
/// that says why, before any pixel memory is allocated (Skia only reports "invalid input").
/// </summary>
internal readonly record struct JpegHeader(int Width, int Height, int Components)
{
    public static JpegHeader Read(ReadOnlySpan<byte> data, long maxPixels)
    {
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
            throw new CodecException("not a JPEG file (no SOI marker)");
        JpegHeader? frame = null;
        int position = 2;
        while (true)
        {
            position = FindMarker(data, position);
            if (position < 0)
                throw new CodecException("JPEG data truncated: the file ends before the first scan");
            int marker = data[position + 1];
            position += 2;
            if (marker is (>= 0xD0 and <= 0xD7) or 0x01) continue; // stray RSTn or TEM: no payload
            if (marker == 0xD9) throw new CodecException("JPEG has no image: EOI before the first scan");
            if (position + 2 > data.Length)
                throw new CodecException($"JPEG data truncated in the length of marker 0xFF{marker:X2}");
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[position..]);
            if (length < 2 || position + length > data.Length)
                throw new CodecException(
                    $"JPEG marker 0xFF{marker:X2} at byte {position - 2} has length {length}, but only {data.Length - position} bytes remain (truncated)");
            var segment = data.Slice(position + 2, length - 2);
            position += length;
            switch (marker)
            {
                case 0xC0 or 0xC1 or 0xC2 or 0xC9 or 0xCA: // Huffman or arithmetic, sequential or progressive
                    if (frame is not null) throw new CodecException("JPEG has more than one SOF marker");
                    frame = ReadFrame(segment, maxPixels);
                    break;
                case 0xC3 or (>= 0xC5 and <= 0xC7) or 0xCB or (>= 0xCD and <= 0xCF):
                    throw new CodecException($"JPEG {CodingProcessName(marker)} (SOF{marker - 0xC0}) is not supported, " +
                                             "expected baseline, extended sequential or progressive (Huffman or arithmetic)");
                case 0xDC:
                    throw new CodecException("JPEG DNL marker (height defined after the scan) is not supported");
                case 0xDA:
                    return frame ?? throw new CodecException("JPEG SOS before SOF");
                // Tables, APPn, COM, ... are libjpeg's business.
            }
        }
    }

    private static JpegHeader ReadFrame(ReadOnlySpan<byte> s, long maxPixels)
    {
        if (s.Length < 6) throw new CodecException($"JPEG SOF segment has {s.Length} bytes, expected at least 6");
        int precision = s[0], height = BinaryPrimitives.ReadUInt16BigEndian(s[1..]);
        int width = BinaryPrimitives.ReadUInt16BigEndian(s[3..]), count = s[5];
        if (precision != 8)
            throw new CodecException($"JPEG sample precision {precision} bits is not supported, expected 8");
        if (height == 0) throw new CodecException("JPEG height 0 (defined by a DNL marker) is not supported");
        PixelLimit.Check("JPEG", width, height, maxPixels);
        if (count is not (1 or 3 or 4))
            throw new CodecException($"JPEG SOF component count {count}, expected 1, 3 or 4");
        if (s.Length < 6 + 3 * count)
            throw new CodecException($"JPEG SOF segment has {s.Length} bytes, expected {6 + 3 * count} for {count} components");
        for (int i = 0; i < count; i++)
        {
            var c = s.Slice(6 + 3 * i, 3);
            int h = c[1] >> 4, v = c[1] & 15;
            if (h is < 1 or > 4 || v is < 1 or > 4)
                throw new CodecException($"JPEG component {c[0]} sampling factors {h}x{v}, expected 1..4");
        }
        return new JpegHeader(width, height, count);
    }

    private static string CodingProcessName(int marker) => marker switch
    {
        0xC3 => "lossless",
        0xCB => "lossless arithmetic coding",
        _ => "hierarchical (differential) coding",
    };

    /// <summary>Position of the next 0xFF xx marker at or after <paramref name="position"/>, -1 at the end.</summary>
    private static int FindMarker(ReadOnlySpan<byte> data, int position)
    {
        for (; position + 1 < data.Length; position++)
        {
            if (data[position] == 0xFF && data[position + 1] is not (0x00 or 0xFF)) return position;
        }
        return -1;
    }
}
