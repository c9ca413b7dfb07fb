using SkiaSharp;

namespace PetSeg.Codecs;

/// <summary>
/// Hands an <see cref="Image8"/> to SkiaSharp's encoders: gray stays one channel (Gray8), RGB is widened to opaque
/// RGBA (Skia has no 24-bit layout), RGBA is unpremultiplied.
/// </summary>
internal static class SkiaEncoder
{
    public static unsafe byte[] Encode(Image8 image, Func<SKPixmap, SKData?> encode, string format)
    {
        var pixels = image.Channels == 3 ? Widen(image.Pixels) : image.Pixels;
        var info = new SKImageInfo(image.Width, image.Height,
            image.Channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888,
            image.Channels == 4 ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        fixed (byte* start = pixels)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)start, info.RowBytes);
            using var data = encode(pixmap)
                ?? throw new InvalidOperationException($"{format} encoder refused a {image.Width}x{image.Height}x{image.Channels} image");
            return data.ToArray();
        }
    }

    private static byte[] Widen(byte[] rgb)
    {
        var rgba = new byte[rgb.Length / 3 * 4];
        for (int i = 0, o = 0; i < rgb.Length; i += 3, o += 4)
        {
            rgba[o] = rgb[i];
            rgba[o + 1] = rgb[i + 1];
            rgba[o + 2] = rgb[i + 2];
            rgba[o + 3] = 255;
        }
        return rgba;
    }
}
