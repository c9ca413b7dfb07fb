using PetSeg.Codecs;
using Xunit.Abstractions;

namespace PetSeg.Tests.Codecs;

/// <summary>
/// The JPEG decoder (libjpeg-turbo inside SkiaSharp) against reference decodes made by Fixtures/codecs/make_fixtures.py: libjpeg-turbo 2.1.5
/// djpeg with default options (islow IDCT, fancy upsampling) for every gray/YCbCr/RGB variant (4:4:4, 4:2:0,
/// 4:2:2, 4:4:0, 4:1:1, h4v2, progressive, restart intervals, separate scans, optimised tables, arithmetic
/// coding, odd and tiny sizes), and Pillow's decode + CMYK->RGB conversion for the Adobe CMYK and YCCK files.
/// </summary>
public sealed class JpegDecoderTests(ITestOutputHelper output)
{
    private static IEnumerable<string> FileNames() =>
        Directory.GetFiles(CodecFixtures.Path(""), "jpeg_*.jpg").Select(p => Path.GetFileName(p)).Order();

    public static TheoryData<string> Files() => new(FileNames());

    [Fact]
    public void FixtureSetCoversEveryVariant()
    {
        var names = FileNames().ToHashSet();
        foreach (var name in new[] { "jpeg_33x29_444.jpg", "jpeg_33x29_420.jpg", "jpeg_33x29_422.jpg", "jpeg_33x29_440.jpg",
                     "jpeg_33x29_411.jpg", "jpeg_33x29_gray.jpg", "jpeg_33x29_prog420.jpg", "jpeg_33x29_restart420.jpg",
                     "jpeg_33x29_rgb.jpg", "jpeg_33x29_cmyk.jpg", "jpeg_33x29_ycck.jpg", "jpeg_100x75_pil_progrestart.jpg",
                     "jpeg_1x1_420.jpg", "jpeg_3x5_422.jpg", "jpeg_17x13_arith.jpg" })
            Assert.Contains(name, names);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void MatchesReferenceDecodeExactly(string file)
    {
        var expected = CodecFixtures.Reference(file);
        var actual = ImageCodec.Decode(CodecFixtures.Bytes(file), file);
        var (max, mean) = CodecFixtures.Difference(expected, actual);
        output.WriteLine($"{file}: max |diff| {max}, mean |diff| {mean:F4}");
        Assert.True(max == 0, $"{file}: max |diff| {max}, mean {mean:F4}");
    }

    [Fact]
    public void PngDataNamedJpgIsDecodedAsPng()
    {
        var image = ImageCodec.Decode(CodecFixtures.Bytes("png_rgb8.png"), "Abyssinian_34.jpg");
        Assert.Equal(CodecFixtures.Reference("png_rgb8.png").Pixels, image.Pixels);
    }

    /// <summary>Codings we refuse, made by patching one header byte of a baseline file.</summary>
    [Theory]
    [InlineData(0xC3, -1, "lossless")]
    [InlineData(0xCB, -1, "lossless arithmetic")]
    [InlineData(0xC5, -1, "hierarchical")]
    [InlineData(0xC0, 12, "precision 12")]
    public void RefusesUnsupportedCodingWithClearMessage(int sofMarker, int precision, string reason)
    {
        var data = CodecFixtures.Bytes("jpeg_33x29_420.jpg");
        int sof = IndexOfMarker(data, 0xC0);
        data[sof + 1] = (byte)sofMarker;
        if (precision > 0) data[sof + 4] = (byte)precision;
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.Decode(data, "cat_12.jpg"));
        Assert.Contains("cat_12.jpg", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void RefusesTwoComponentFrames()
    {
        // Two components is not gray, colour or CMYK.
        var data = CodecFixtures.Bytes("jpeg_33x29_420.jpg");
        data[IndexOfMarker(data, 0xC0) + 9] = 2;
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.Decode(data, "two.jpg"));
        Assert.Contains("component count 2", e.Message);
    }

    private static int IndexOfMarker(byte[] data, int marker)
    {
        for (int i = 0; i + 1 < data.Length; i++)
        {
            if (data[i] == 0xFF && data[i + 1] == marker) return i;
        }
        throw new InvalidOperationException($"marker {marker:X2} not in fixture");
    }
}
