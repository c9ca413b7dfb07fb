namespace PetSeg.Codecs;

/// <summary>
/// Decodes PNG with libpng through SkiaSharp: every colour type and bit depth, palettes and tRNS, Adam7.
/// 16-bit samples become 8-bit the way Skia does it, keeping the high byte (v / 256 rounded down; the hand-written
/// decoder this replaced rounded v / 257, at most 1 apart).
/// </summary>
public static class PngDecoder
{
    /// <summary>
    /// Decodes to gray (1 channel), RGB (3) or, when the file has alpha or a tRNS chunk, RGBA (4); gray with
    /// alpha becomes RGBA with the gray replicated.
    /// </summary>
    public static Image8 Decode(byte[] data, string name, long maxPixels) => CodecException.NameErrors(name, () =>
    {
        var png = PngChunks.Read(data, maxPixels);
        var header = png.Header;
        bool alpha = header.ColorType is 4 or 6 || png.HasTransparency;
        var target = alpha ? DecodeTarget.Rgba : header.ColorType == 0 ? DecodeTarget.Gray : DecodeTarget.Rgb;
        var pixels = SkiaDecoder.Decode(data, "PNG", header.Width, header.Height, target);
        return new Image8(header.Width, header.Height, target switch { DecodeTarget.Gray => 1, DecodeTarget.Rgb => 3, _ => 4 }, pixels);
    });

    public static Image8 Decode(byte[] data, string name) => Decode(data, name, PixelLimit.MaxPixels);

    /// <summary>
    /// The stored sample values of a segmentation mask: palette indices for colour type 3 and gray values for
    /// colour type 0 (bit depth up to 8), one byte per pixel, [H, W].
    /// </summary>
    public static (int w, int h, byte[] values) DecodeRawIndices(byte[] data, string name) => CodecException.NameErrors(name, () =>
    {
        var png = PngChunks.Read(data, PixelLimit.MaxPixels);
        var header = png.Header;
        if (header.ColorType is not (0 or 3) || header.BitDepth > 8)
            throw new CodecException(
                $"PNG mask has colour type {header.ColorType} with {header.BitDepth}-bit samples, expected palette (3) or gray (0) up to 8 bits");
        var values = SkiaDecoder.Decode(WithIdentityPalette(data, png), "PNG", header.Width, header.Height, DecodeTarget.Red);
        return (header.Width, header.Height, values);
    });

    /// <summary>
    /// The same image data relabelled as a palette image whose entry i is the colour (i, i, i): libpng and Skia
    /// expand palettes to colours (Skia has no indexed output) and scale low-bit gray, so this is how the stored
    /// values come out unchanged, in the red channel. Ancillary chunks (tRNS, gAMA, iCCP) are left out so that
    /// nothing alters the colours.
    /// </summary>
    private static byte[] WithIdentityPalette(byte[] data, PngChunks png)
    {
        int entries = 1 << png.Header.BitDepth;
        using var file = new MemoryStream();
        file.Write(PngChunks.Signature);
        var ihdr = data.AsSpan(16, 13).ToArray(); // IHDR is the first chunk: its payload starts at byte 16
        ihdr[9] = 3;
        PngChunks.Write(file, "IHDR"u8, ihdr);
        var palette = new byte[3 * entries];
        for (int i = 0; i < entries; i++) palette[3 * i] = palette[3 * i + 1] = palette[3 * i + 2] = (byte)i;
        PngChunks.Write(file, "PLTE"u8, palette);
        foreach (var chunk in png.ImageDataChunks) file.Write(data.AsSpan(chunk));
        PngChunks.Write(file, "IEND"u8, []);
        return file.ToArray();
    }
}
