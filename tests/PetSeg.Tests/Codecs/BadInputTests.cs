using PetSeg.Codecs;

namespace PetSeg.Tests.Codecs;

/// <summary>Bad files fail with an InvalidDataException that names the file and says what is wrong.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData("bad_truncated.jpg", "truncated")]
    [InlineData("bad_truncated.png", "truncated")]
    [InlineData("bad_crc.png", "CRC")]
    [InlineData("bad_empty.jpg", "empty")]
    [InlineData("bad_gif.jpg", "Gif")]
    [InlineData("bad_bmp.png", "Bmp")]
    [InlineData("bad_huge.png", "exceeds the limit")]
    [InlineData("bad_huge.jpg", "exceeds the limit")]
    public void FixtureFailsWithNamedError(string file, string reason)
    {
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.DecodeFile(CodecFixtures.Path(file)));
        Assert.Contains(file, e.Message);
        Assert.Contains(reason, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void CrcErrorNamesTheChunk()
    {
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.Decode(CodecFixtures.Bytes("bad_crc.png"), "x.png"));
        Assert.Contains("IDAT", e.Message);
    }

    [Fact]
    public void UnknownBytesAreRefused()
    {
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.Decode([1, 2, 3, 4, 5, 6, 7, 8, 9], "junk.bin"));
        Assert.Contains("junk.bin", e.Message);
        Assert.Equal(ImageFormat.Unknown, ImageCodec.Sniff([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    }

    [Fact]
    public void SniffIgnoresTheFileName()
    {
        Assert.Equal(ImageFormat.Png, ImageCodec.Sniff(CodecFixtures.Bytes("png_rgb8.png")));
        Assert.Equal(ImageFormat.Jpeg, ImageCodec.Sniff(CodecFixtures.Bytes("jpeg_33x29_420.jpg")));
        Assert.Equal(ImageFormat.Gif, ImageCodec.Sniff(CodecFixtures.Bytes("bad_gif.jpg")));
        Assert.Equal(ImageFormat.WebP, ImageCodec.Sniff("RIFF\0\0\0\0WEBPVP8 "u8));
    }

    /// <summary>Every prefix of valid files must fail cleanly (never IndexOutOfRange) or decode.</summary>
    [Theory]
    [InlineData("jpeg_33x29_420.jpg")]
    [InlineData("jpeg_33x29_prog420.jpg")]
    [InlineData("jpeg_33x29_restart420.jpg")]
    [InlineData("png_rgb8_adam7.png")]
    public void EveryTruncationFailsCleanly(string file)
    {
        var data = CodecFixtures.Bytes(file);
        for (int length = 0; length < data.Length; length += 7)
        {
            var e = Assert.Throws<InvalidDataException>(() => ImageCodec.Decode(data[..length], file));
            Assert.Contains(file, e.Message);
        }
    }

    /// <summary>
    /// Flipped bytes, cuts and injected markers in every fixture may decode to garbage, but a failure must be an
    /// InvalidDataException that names the file and was diagnosed by the decoder, not the bounds-check safety net.
    /// </summary>
    [Fact]
    public void DamagedFilesFailOnlyWithDiagnosedErrors()
    {
        var random = new Random(7);
        var files = Directory.GetFiles(CodecFixtures.Path(""))
            .Where(p => p.EndsWith(".jpg", StringComparison.Ordinal) || p.EndsWith(".png", StringComparison.Ordinal));
        int failures = 0;
        foreach (var path in files)
        {
            var original = File.ReadAllBytes(path);
            if (original.Length < 16) continue;
            for (int trial = 0; trial < 60; trial++)
            {
                var data = Damage(original, trial % 3, random);
                try
                {
                    ImageCodec.Decode(data, "damaged_file");
                }
                catch (InvalidDataException e)
                {
                    failures++;
                    Assert.StartsWith("damaged_file: ", e.Message);
                    Assert.False(e.InnerException is IndexOutOfRangeException or ArgumentOutOfRangeException,
                        $"{Path.GetFileName(path)} trial {trial}: undiagnosed {e.InnerException}");
                }
            }
        }
        Assert.True(failures > 1000, $"only {failures} damaged files were rejected");
    }

    private static byte[] Damage(byte[] original, int kind, Random random)
    {
        var data = (byte[])original.Clone();
        switch (kind)
        {
            case 0:
                for (int flips = 1 + random.Next(4); flips > 0; flips--) data[random.Next(2, data.Length)] ^= (byte)random.Next(1, 256);
                return data;
            case 1:
                return data[..random.Next(0, data.Length)];
            default:
                int at = random.Next(2, data.Length - 1);
                data[at] = 0xFF;
                data[at + 1] = (byte)random.Next(0xC0, 0x100);
                return data;
        }
    }
}
