using System.Runtime.InteropServices;
using SkiaSharp;

namespace PetSeg.Codecs;

/// <summary>What the decoded pixels become: Skia's own 8-bit layouts, or RGBA rows repacked by us.</summary>
internal enum DecodeTarget
{
    /// <summary>One byte per pixel, Skia's Gray8 (gray JPEG and gray PNG without transparency).</summary>
    Gray,

    /// <summary>Three bytes per pixel, packed from RGBA rows (Skia has no 24-bit layout).</summary>
    Rgb,

    /// <summary>Four bytes per pixel, unpremultiplied.</summary>
    Rgba,

    /// <summary>One byte per pixel: the red channel of RGBA rows (palette indices through an identity palette).</summary>
    Red,
}

/// <summary>
/// Runs SkiaSharp's codecs (libjpeg-turbo, libpng) over a file whose header we have already checked. JPEG is
/// decoded a band of rows at a time straight into the one output array, so a large image costs its output plus a
/// band; Skia decodes PNG only as a whole frame, which costs one transient RGBA frame more for RGB and mask output.
/// No colour space is requested, so embedded ICC profiles and gAMA are not applied (as djpeg and every training
/// pipeline we compare with do).
/// </summary>
internal static class SkiaDecoder
{
    private const int BandRows = 32;

    public static unsafe byte[] Decode(ReadOnlySpan<byte> data, string format, int width, int height, DecodeTarget target)
    {
        fixed (byte* encoded = data)
        {
            using var skData = SKData.Create((IntPtr)encoded, data.Length);
            using var codec = SKCodec.Create(skData)
                ?? throw new CodecException($"{format} data was refused by {Library(format)} (corrupt header)");
            if (codec.Info.Width != width || codec.Info.Height != height)
                throw new CodecException(
                    $"{format} header says {width}x{height} but {Library(format)} reads {codec.Info.Width}x{codec.Info.Height}");
            bool direct = target is DecodeTarget.Gray or DecodeTarget.Rgba;
            var info = new SKImageInfo(width, height, target == DecodeTarget.Gray ? SKColorType.Gray8 : SKColorType.Rgba8888,
                target == DecodeTarget.Gray ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
            var output = GC.AllocateUninitializedArray<byte>(checked(width * height * Channels(target)));
            var start = codec.StartScanlineDecode(info);
            if (start == SKCodecResult.Success)
            {
                DecodeBands(codec, info, data, format, output, target);
                return output;
            }
            if (start != SKCodecResult.Unimplemented)
                throw new CodecException($"{format} data was refused by {Library(format)} ({start}) when asked for {info.ColorType} pixels");

            // Skia's PNG codec decodes whole frames only: into the output when the layouts agree, else into one
            // RGBA frame of native memory, repacked and freed at once (a managed frame would linger on the
            // large-object heap until the next full collection).
            if (direct)
            {
                fixed (byte* outputPixels = output) DecodeFrame(codec, info, (IntPtr)outputPixels, data, format);
                return output;
            }
            int frameBytes = checked(info.RowBytes * height);
            byte* frame = (byte*)NativeMemory.Alloc((nuint)frameBytes);
            try
            {
                DecodeFrame(codec, info, (IntPtr)frame, data, format);
                Repack(new ReadOnlySpan<byte>(frame, frameBytes), output, target);
            }
            finally
            {
                NativeMemory.Free(frame);
            }
            return output;
        }
    }

    private static void DecodeFrame(SKCodec codec, SKImageInfo info, IntPtr pixels, ReadOnlySpan<byte> data, string format)
    {
        var begin = codec.StartIncrementalDecode(info, pixels, info.RowBytes);
        if (begin != SKCodecResult.Success)
            throw new CodecException($"{format} data was refused by {Library(format)} ({begin}) when asked for {info.ColorType} pixels");
        var result = codec.IncrementalDecode(out int rows);
        if (result == SKCodecResult.IncompleteInput) throw new CodecException(ShortDecode(data, format, rows, info.Height));
        if (result != SKCodecResult.Success)
            throw new CodecException($"{format} image data is corrupt: {Library(format)} stopped with {result}");
    }

    /// <summary>Decodes a band of rows at a time: straight into the output, or through one band buffer.</summary>
    private static unsafe void DecodeBands(SKCodec codec, SKImageInfo info, ReadOnlySpan<byte> data, string format,
        byte[] output, DecodeTarget target)
    {
        bool direct = target is DecodeTarget.Gray or DecodeTarget.Rgba;
        int outChannels = Channels(target);
        var band = direct ? null : new byte[BandRows * info.RowBytes];
        fixed (byte* outputStart = output)
        fixed (byte* bandStart = band)
        {
            for (int y = 0; y < info.Height; y += BandRows)
            {
                int rows = Math.Min(BandRows, info.Height - y);
                byte* destination = direct ? outputStart + (long)y * info.RowBytes : bandStart;
                int decoded = codec.GetScanlines((IntPtr)destination, rows, info.RowBytes);
                if (decoded != rows) throw new CodecException(ShortDecode(data, format, y + decoded, info.Height));
                if (direct) continue;
                int rowBytes = info.Width * outChannels;
                Repack(band.AsSpan(0, rows * info.RowBytes), output.AsSpan(y * rowBytes, rows * rowBytes), target);
            }
        }
    }

    private static int Channels(DecodeTarget target) => target switch { DecodeTarget.Rgb => 3, DecodeTarget.Rgba => 4, _ => 1 };

    /// <summary>Keeps the first <see cref="Channels"/> bytes of each RGBA pixel of <paramref name="rgba"/>.</summary>
    private static unsafe void Repack(ReadOnlySpan<byte> rgba, Span<byte> destination, DecodeTarget target)
    {
        if (target == DecodeTarget.Red)
        {
            for (int i = 0, o = 0; o < destination.Length; i += 4, o++) destination[o] = rgba[i];
            return;
        }
        int pixels = destination.Length / 3;
        if (pixels == 0 || rgba.Length < 4 * pixels) throw new ArgumentException("Repack: RGBA source shorter than the RGB output");
        fixed (byte* source = rgba, output = destination)
        {
            // One 4-byte store per pixel: its alpha byte is overwritten by the next pixel's red.
            for (int i = 0; i < pixels - 1; i++) *(uint*)(output + 3 * i) = *(uint*)(source + 4 * i);
        }
        int last = pixels - 1;
        destination[3 * last] = rgba[4 * last];
        destination[3 * last + 1] = rgba[4 * last + 1];
        destination[3 * last + 2] = rgba[4 * last + 2];
    }

    private static string Library(string format) => format == "JPEG" ? "libjpeg-turbo" : "libpng";

    /// <summary>Why the library stopped early. Our header walk passed, so the problem is in the compressed pixels.</summary>
    private static string ShortDecode(ReadOnlySpan<byte> data, string format, int rows, int height)
    {
        if (format == "JPEG")
        {
            bool ended = data.Length >= 2 && data[^2] == 0xFF && data[^1] == 0xD9;
            return ended
                ? $"JPEG scan data is corrupt: libjpeg-turbo decoded {rows} of {height} rows"
                : $"JPEG data truncated: the file ends inside the scan data (libjpeg-turbo decoded {rows} of {height} rows)";
        }
        return $"PNG image data is corrupt: the zlib stream of the IDAT chunks gives only {rows} of {height} rows " +
               "(damaged or truncated deflate data, or a bad row filter byte)";
    }
}
