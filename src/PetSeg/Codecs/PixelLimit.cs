using System.Globalization;

namespace PetSeg.Codecs;

/// <summary>
/// The largest image the decoders accept, checked against the size in the file's header before any pixel memory is
/// allocated. A 250 KB PNG can declare 16000x16000 pixels (256 megapixels, 1 GB as RGBA); the default of 64
/// megapixels is four times a 48-megapixel phone photo and 340 times an Oxford-IIIT Pet image.
/// </summary>
public static class PixelLimit
{
    /// <summary>Environment variable that overrides <see cref="DefaultMegapixels"/>, in megapixels (e.g. 120).</summary>
    public const string EnvironmentVariable = "PETSEG_MAX_MEGAPIXELS";

    public const double DefaultMegapixels = 64;

    /// <summary>Largest side any decoder accepts: the limit of JPEG's 16-bit size fields.</summary>
    public const int MaxSide = 65535;

    /// <summary>
    /// Pixels allowed per image: <see cref="EnvironmentVariable"/> when set, else 64 megapixels. Read on every call,
    /// so a bad value fails the decode that uses it with a plain message rather than a type initializer.
    /// </summary>
    public static long MaxPixels => Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Reads a limit in megapixels; an absent value gives the default, a bad one a clear error.</summary>
    public static long Parse(string? megapixels)
    {
        if (string.IsNullOrWhiteSpace(megapixels)) return ToPixels(DefaultMegapixels);
        if (!double.TryParse(megapixels, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value) || value <= 0 || value > 1e6)
            throw new ArgumentException(
                $"{EnvironmentVariable}='{megapixels}': expected a number of megapixels greater than 0 (e.g. 64 or 150)");
        return ToPixels(value);
    }

    private static long ToPixels(double megapixels) => (long)(megapixels * 1_000_000);

    /// <summary>Refuses a header size that is not positive or over <paramref name="maxPixels"/>.</summary>
    internal static void Check(string format, long width, long height, long maxPixels)
    {
        if (width <= 0 || height <= 0)
            throw new CodecException($"{format} image size {width}x{height}, expected positive width and height");
        if (width > MaxSide || height > MaxSide)
            throw new CodecException($"{format} image size {width}x{height} exceeds the limit of {MaxSide} pixels per side");
        if (width * height > maxPixels)
            throw new CodecException(
                $"{format} image size {width}x{height} ({Megapixels(width * height)} megapixels) exceeds the limit of " +
                $"{Megapixels(maxPixels)} megapixels; set {EnvironmentVariable} to raise it");
    }

    private static string Megapixels(long pixels) => (pixels / 1e6).ToString("0.#", CultureInfo.InvariantCulture);
}
