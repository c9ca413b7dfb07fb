using PetSeg.Codecs;

namespace PetSeg.Tests.Codecs;

/// <summary>The encoders read back by the decoders: PNG exactly, JPEG within a PSNR bound.</summary>
public sealed class CodecRoundTripTests
{
    private static Image8 Noise(int width, int height, int channels, int seed)
    {
        var pixels = new byte[width * height * channels];
        new Random(seed).NextBytes(pixels);
        return new Image8(width, height, channels, pixels);
    }

    /// <summary>A smooth colour image (gradients and a soft disc) like the content JPEG is meant for.</summary>
    internal static Image8 Smooth(int width, int height)
    {
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            double dx = x - width * 0.4, dy = y - height * 0.6;
            double disc = 80 * Math.Exp(-(dx * dx + dy * dy) / (width * height * 0.05));
            int o = (y * width + x) * 3;
            pixels[o] = (byte)Math.Clamp(40 + 150.0 * x / width + disc, 0, 255);
            pixels[o + 1] = (byte)Math.Clamp(200 - 120.0 * y / height + 0.5 * disc, 0, 255);
            pixels[o + 2] = (byte)Math.Clamp(90 + 60 * Math.Sin(x * 0.09 + y * 0.05), 0, 255);
        }
        return new Image8(width, height, 3, pixels);
    }

    private static double Psnr(Image8 a, Image8 b)
    {
        double sum = 0;
        for (int i = 0; i < a.Pixels.Length; i++)
        {
            double d = a.Pixels[i] - b.Pixels[i];
            sum += d * d;
        }
        return 10 * Math.Log10(255.0 * 255.0 / (sum / a.Pixels.Length));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(17, 13, 1)]
    [InlineData(33, 29, 3)]
    [InlineData(64, 48, 4)]
    public void PngRoundTripIsExact(int width, int height, int channels)
    {
        var image = Noise(width, height, channels, seed: width);
        var decoded = PngDecoder.Decode(PngEncoder.Encode(image), "roundtrip.png");
        Assert.Equal((width, height, channels), (decoded.Width, decoded.Height, decoded.Channels));
        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [Fact]
    public void PngRoundTripOfSmoothImageIsExactAndCompressed()
    {
        var image = Smooth(100, 75);
        var encoded = PngEncoder.Encode(image);
        Assert.Equal(image.Pixels, PngDecoder.Decode(encoded, "smooth.png").Pixels);
        Assert.True(encoded.Length < image.Pixels.Length / 2, $"{encoded.Length} bytes for {image.Pixels.Length} raw");
    }

    [Fact]
    public void IndexedPngKeepsClassIdsAndPaintsPalette()
    {
        int w = 19, h = 7;
        var ids = new byte[w * h];
        for (int i = 0; i < ids.Length; i++) ids[i] = (byte)(i * 7 % 59);
        var palette = Enumerable.Range(0, 59).Select(i => ((byte)(i * 4), (byte)(255 - i), (byte)(i * 13))).ToArray();
        var encoded = IndexedPng.Write(w, h, ids, palette);

        var (dw, dh, values) = PngDecoder.DecodeRawIndices(encoded, "mask.png");
        Assert.Equal((w, h), (dw, dh));
        Assert.Equal(ids, values);
        var colours = PngDecoder.Decode(encoded, "mask.png");
        Assert.Equal(3, colours.Channels);
        int probe = 40;
        Assert.Equal(palette[ids[probe]], (colours.Pixels[3 * probe], colours.Pixels[3 * probe + 1], colours.Pixels[3 * probe + 2]));
    }

    [Theory]
    [InlineData(95, 35.0)]
    [InlineData(75, 32.0)]
    public void JpegRoundTripIsClose(int quality, double minPsnr)
    {
        var image = Smooth(101, 77); // odd size: partial MCUs on both edges
        var decoded = ImageCodec.Decode(JpegEncoder.Encode(image, quality), "roundtrip.jpg");
        Assert.Equal((image.Width, image.Height, 3), (decoded.Width, decoded.Height, decoded.Channels));
        double psnr = Psnr(image, decoded);
        Assert.True(psnr > minPsnr, $"PSNR {psnr:F2} dB, expected > {minPsnr}");
    }

    [Fact]
    public void JpegGrayRoundTripStaysGray()
    {
        var rgb = Smooth(40, 30);
        var gray = new Image8(40, 30, 1, Enumerable.Range(0, 1200).Select(i => rgb.Pixels[3 * i + 1]).ToArray());
        var decoded = ImageCodec.Decode(JpegEncoder.Encode(gray, 95), "gray.jpg");
        Assert.Equal(1, decoded.Channels);
        Assert.True(Psnr(gray, decoded) > 38.0);
    }

    [Fact]
    public void HigherQualityIsCloserAndLarger()
    {
        var image = Smooth(64, 64);
        var low = JpegEncoder.Encode(image, 30);
        var high = JpegEncoder.Encode(image, 95);
        Assert.True(high.Length > low.Length);
        Assert.True(Psnr(image, ImageCodec.Decode(high, "h.jpg")) > Psnr(image, ImageCodec.Decode(low, "l.jpg")));
    }
}
