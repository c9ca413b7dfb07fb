namespace PetSeg.Codecs;

/// <summary>
/// Decodes baseline, extended-sequential and progressive JPEG (8-bit, Huffman or arithmetic coding) to gray or RGB
/// with libjpeg-turbo through SkiaSharp: islow IDCT and fancy upsampling, djpeg's defaults, so every fixture matches
/// djpeg exactly. CMYK and YCCK (Adobe, inverted) become RGB.
/// </summary>
public static class JpegDecoder
{
    public static Image8 Decode(byte[] data, string name, long maxPixels) => CodecException.NameErrors(name, () =>
    {
        var header = JpegHeader.Read(data, maxPixels);
        var target = header.Components == 1 ? DecodeTarget.Gray : DecodeTarget.Rgb;
        var pixels = SkiaDecoder.Decode(data, "JPEG", header.Width, header.Height, target);
        return new Image8(header.Width, header.Height, target == DecodeTarget.Gray ? 1 : 3, pixels);
    });
}
