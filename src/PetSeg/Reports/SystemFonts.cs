using SkiaSharp;

namespace PetSeg.Reports;

/// <summary>
/// Whether Skia can find any font on this machine (through fontconfig on Linux). Minimal containers often have
/// none; charts and mosaics are then drawn without a single letter, so the report says why.
/// </summary>
public static class SystemFonts
{
    private static readonly Lazy<bool> Found = new(() => SKFontManager.Default.FontFamilyCount > 0);

    public static bool Available => Found.Value;

    public const string MissingNote =
        "No system font was found (fontconfig lists none), so the pictures below have no text: install a font " +
        "package such as fonts-dejavu-core for labelled pictures in later runs.";
}
