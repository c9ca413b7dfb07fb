using SkiaSharp;

namespace PetSeg.Codecs;

/// <summary>
/// Writes baseline JPEG with libjpeg-turbo through SkiaSharp: gray images as one component, colour as YCbCr 4:2:0;
/// alpha is dropped.
/// </summary>
public static class JpegEncoder
{
    public static byte[] Encode(Image8 image, int quality = 90)
    {
        if (quality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(quality), quality, "JPEG quality must be 1..100");
        var options = new SKJpegEncoderOptions(quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore);
        return SkiaEncoder.Encode(image, pixmap => pixmap.Encode(options), "JPEG");
    }
}
