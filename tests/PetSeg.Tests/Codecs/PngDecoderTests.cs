using PetSeg.Codecs;

namespace PetSeg.Tests.Codecs;

/// <summary>
/// PNG decoding of every colour type, bit depth, filter and Adam7 (files written by the tiny PNG writer in
/// Fixtures/codecs/make_fixtures.py), compared with the expected pixels computed from the source arrays: exactly,
/// except 16-bit samples, which the references round and libpng truncates.
/// </summary>
public sealed class PngDecoderTests
{
    private static IEnumerable<string> FileNames() =>
        Directory.GetFiles(CodecFixtures.Path(""), "png_*.png").Select(p => Path.GetFileName(p)).Order();

    public static TheoryData<string> Files() => new(FileNames());

    [Fact]
    public void FixtureSetCoversEveryColourTypeDepthAndInterlace()
    {
        // Guards the theory below against silently running on an empty or partial folder.
        var names = FileNames().ToHashSet();
        foreach (var name in new[] { "png_gray1.png", "png_gray2_adam7.png", "png_gray16.png", "png_rgb16_adam7.png",
                     "png_palette4.png", "png_palette8_trns.png", "png_graya8.png", "png_rgba16_adam7.png", "png_rgb8_trns.png" })
            Assert.Contains(name, names);
        Assert.True(names.Count >= 30, $"only {names.Count} PNG fixtures found");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void DecodesExactly(string file)
    {
        var expected = CodecFixtures.Reference(file);
        var actual = ImageCodec.Decode(CodecFixtures.Bytes(file), file);
        Assert.Equal((expected.Width, expected.Height, expected.Channels), (actual.Width, actual.Height, actual.Channels));
        if (!file.Contains("16"))
        {
            Assert.Equal(expected.Pixels, actual.Pixels);
            return;
        }
        // The references round 16-bit samples to v / 257; Skia keeps the high byte, v / 256 rounded down: 1 apart at most.
        var (max, _) = CodecFixtures.Difference(expected, actual);
        Assert.InRange(max, 0, 1);
    }

    [Theory]
    [InlineData("mask_trimap.png")]
    [InlineData("mask_indexed.png")]
    public void RawIndicesAreTheStoredClassIds(string file)
    {
        var expected = CodecFixtures.Reference(file);
        var (w, h, values) = PngDecoder.DecodeRawIndices(CodecFixtures.Bytes(file), file);
        Assert.Equal((expected.Width, expected.Height), (w, h));
        Assert.Equal(expected.Pixels, values);
    }

    [Fact]
    public void RawIndicesOfPackedPaletteAreUnscaled()
    {
        // A 2-bit palette file: Decode gives colours, DecodeRawIndices must give 0..3, not 0..255.
        var (_, _, values) = PngDecoder.DecodeRawIndices(CodecFixtures.Bytes("png_palette2.png"), "png_palette2.png");
        Assert.All(values, v => Assert.InRange(v, 0, 3));
        Assert.Contains(values, v => v == 3);
    }

    [Fact]
    public void RawIndicesRefuseColourImages()
    {
        var e = Assert.Throws<InvalidDataException>(() => PngDecoder.DecodeRawIndices(CodecFixtures.Bytes("png_rgb8.png"), "rgb.png"));
        Assert.Contains("rgb.png", e.Message);
        Assert.Contains("colour type 2", e.Message);
    }
}
