using System.Buffers.Binary;
using System.IO.Compression;
using PetSeg.Codecs;

namespace PetSeg.Tests.Codecs;

/// <summary>
/// Files that are small on disk and huge in memory are refused from their header, before pixel memory is
/// allocated; the limit is in megapixels and can be moved; damaged compressed data is named as such.
/// </summary>
public sealed class DecompressionBombTests
{
    /// <summary>
    /// A complete, valid 16000 x 16000 gray PNG (256 megapixels, all black) of about 250 KB: the hand-written decoder
    /// took 2.5 GB and 24 s to open it.
    /// </summary>
    private static readonly Lazy<byte[]> GrayBomb = new(() =>
    {
        const int side = 16000;
        using var rows = new MemoryStream();
        using (var zlib = new ZLibStream(rows, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[1 + side]; // filter byte 0, then black samples
            for (int y = 0; y < side; y++) zlib.Write(row);
        }
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, side);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), side);
        header[8] = 8; // bit depth; colour type 0 (gray)
        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        PngChunks.Write(file, "IHDR"u8, header);
        PngChunks.Write(file, "IDAT"u8, rows.ToArray());
        PngChunks.Write(file, "IEND"u8, []);
        return file.ToArray();
    });

    [Fact]
    public void A_16000_square_gray_png_is_refused_from_its_header_in_one_line_naming_file_and_size()
    {
        var bomb = GrayBomb.Value;
        Assert.InRange(bomb.Length, 1, 400_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.Decode(bomb, "bomb.png"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.StartsWith("bomb.png: ", e.Message);
        Assert.Contains("16000x16000", e.Message);
        Assert.Contains("256 megapixels", e.Message);
        Assert.Contains("limit of 64 megapixels", e.Message);
        Assert.Contains(PixelLimit.EnvironmentVariable, e.Message);
        Assert.DoesNotContain("\n", e.Message);
        // Refused before decoding: nothing near the 256 MB the pixels would take was allocated.
        Assert.True(allocated < 1_000_000, $"{allocated} bytes allocated before the refusal");
    }

    [Fact]
    public void The_limit_is_a_parameter_and_counts_pixels()
    {
        var jpeg = CodecFixtures.Bytes("jpeg_100x75_420.jpg"); // 7500 pixels
        Assert.Equal(100, ImageCodec.Decode(jpeg, "a.jpg", maxPixels: 7500).Width);
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.Decode(jpeg, "a.jpg", maxPixels: 7499));
        Assert.Contains("100x75", e.Message);
        var png = CodecFixtures.Bytes("png_rgb8.png");
        var size = ImageCodec.Decode(png, "b.png");
        Assert.Throws<InvalidDataException>(() => ImageCodec.Decode(png, "b.png", maxPixels: size.Width * size.Height - 1));
    }

    [Theory]
    [InlineData(null, 64_000_000)]
    [InlineData("", 64_000_000)]
    [InlineData("150", 150_000_000)]
    [InlineData("0.5", 500_000)]
    public void The_environment_value_is_read_in_megapixels(string? value, long pixels) =>
        Assert.Equal(pixels, PixelLimit.Parse(value));

    [Theory]
    [InlineData("lots")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("NaN")]
    public void A_bad_environment_value_is_refused_by_name(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => PixelLimit.Parse(value));
        Assert.Contains(PixelLimit.EnvironmentVariable, e.Message);
        Assert.Contains(value, e.Message);
    }

    [Fact]
    public void An_invalid_deflate_block_is_reported_as_damaged_zlib_data()
    {
        // The first deflate block header (after the 2-byte zlib header) gets the reserved block type 3; the CRC is
        // recomputed, so only the compressed data is wrong.
        var png = WithFirstImageData(CodecFixtures.Bytes("png_rgb8.png"), idat => idat[2] = 0b111);
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.Decode(png, "broken.png"));
        Assert.StartsWith("broken.png: ", e.Message);
        Assert.Contains("zlib stream", e.Message);
        Assert.DoesNotContain("unsupported compression method", e.Message);
    }

    [Fact]
    public void A_bad_zlib_header_names_the_field()
    {
        var png = WithFirstImageData(CodecFixtures.Bytes("png_rgb8.png"), idat => idat[0] = 0x77); // method 7, window 2^15
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.Decode(png, "header.png"));
        Assert.Contains("compression method 7, expected 8 (deflate)", e.Message);
    }

    /// <summary>A copy of a PNG with the payload of its first IDAT chunk changed and the chunk's CRC recomputed.</summary>
    private static byte[] WithFirstImageData(byte[] png, Action<byte[]> change)
    {
        using var file = new MemoryStream();
        file.Write(png, 0, 8);
        bool changed = false;
        for (int position = 8; position < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(position));
            var type = png.AsSpan(position + 4, 4).ToArray();
            var payload = png.AsSpan(position + 8, length).ToArray();
            if (!changed && type.AsSpan().SequenceEqual("IDAT"u8))
            {
                change(payload);
                changed = true;
            }
            PngChunks.Write(file, type, payload);
            position += 12 + length;
        }
        Assert.True(changed, "fixture has no IDAT chunk");
        return file.ToArray();
    }
}
