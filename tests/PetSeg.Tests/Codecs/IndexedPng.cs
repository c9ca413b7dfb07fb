using System.Buffers.Binary;
using System.IO.Compression;
using PetSeg.Codecs;

namespace PetSeg.Tests.Codecs;

/// <summary>
/// Writes palette PNGs ([H, W] class ids and a colour per id) the way the people-clothing masks are stored. The
/// application never writes this kind of file and SkiaSharp cannot (its encoder has no indexed output), so the
/// tests make their own, chunk by chunk as the PNG specification lays them out.
/// </summary>
internal static class IndexedPng
{
    public static byte[] Write(int width, int height, byte[] ids, IReadOnlyList<(byte R, byte G, byte B)> palette)
    {
        if (ids.Length != width * height) throw new ArgumentException($"{ids.Length} ids for {width}x{height}");
        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 3; // colour type: palette
        PngChunks.Write(file, "IHDR"u8, header);
        PngChunks.Write(file, "PLTE"u8, palette.SelectMany(c => new[] { c.R, c.G, c.B }).ToArray());
        using var rows = new MemoryStream();
        using (var zlib = new ZLibStream(rows, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0); // filter: none
                zlib.Write(ids, y * width, width);
            }
        }
        PngChunks.Write(file, "IDAT"u8, rows.ToArray());
        PngChunks.Write(file, "IEND"u8, []);
        return file.ToArray();
    }
}
