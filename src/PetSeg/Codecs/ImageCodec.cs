namespace PetSeg.Codecs;

/// <summary>
/// Entry point of the codecs: picks the decoder from the magic bytes, because real data sets lie in their file
/// names (the Oxford-IIIT Pet set has PNG data named .jpg).
/// </summary>
public static class ImageCodec
{
    public static ImageFormat Sniff(ReadOnlySpan<byte> header)
    {
        if (header.Length >= 3 && header[0] == 0xFF && header[1] == 0xD8 && header[2] == 0xFF) return ImageFormat.Jpeg;
        if (header.Length >= 8 && header[..8].SequenceEqual(PngChunks.Signature)) return ImageFormat.Png;
        if (header.Length >= 6 && header[0] == 'G' && header[1] == 'I' && header[2] == 'F' && header[3] == '8')
            return ImageFormat.Gif;
        if (header.Length >= 2 && header[0] == 'B' && header[1] == 'M') return ImageFormat.Bmp;
        if (header.Length >= 12 && header[..4].SequenceEqual("RIFF"u8) && header[8..12].SequenceEqual("WEBP"u8))
            return ImageFormat.WebP;
        if (header.Length >= 4 && (header[..4].SequenceEqual("II*\0"u8) || header[..4].SequenceEqual("MM\0*"u8)))
            return ImageFormat.Tiff;
        return ImageFormat.Unknown;
    }

    /// <summary>Decodes JPEG or PNG data; <paramref name="name"/> only labels error messages.</summary>
    public static Image8 Decode(byte[] data, string name) => Decode(data, name, PixelLimit.MaxPixels);

    /// <summary>As <see cref="Decode(byte[], string)"/>, refusing images of more than <paramref name="maxPixels"/>.</summary>
    public static Image8 Decode(byte[] data, string name, long maxPixels)
    {
        if (data.Length == 0) throw new InvalidDataException($"{name}: empty file");
        var format = Sniff(data);
        return format switch
        {
            ImageFormat.Jpeg => JpegDecoder.Decode(data, name, maxPixels),
            ImageFormat.Png => PngDecoder.Decode(data, name, maxPixels),
            ImageFormat.Unknown => throw new InvalidDataException(
                $"{name}: unrecognised image format (first bytes {Convert.ToHexString(data.AsSpan(0, Math.Min(8, data.Length)))}), expected JPEG or PNG"),
            _ => throw new InvalidDataException($"{name}: {format} images are not supported, expected JPEG or PNG"),
        };
    }

    public static Image8 DecodeFile(string path) => Decode(File.ReadAllBytes(path), path);
}
