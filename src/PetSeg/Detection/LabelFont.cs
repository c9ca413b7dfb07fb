using SkiaSharp;

namespace PetSeg.Detection;

/// <summary>
/// Draws detection labels: with a Skia typeface when it has a glyph for every character labels use, otherwise with
/// <see cref="BitmapGlyphs"/>. A machine without fonts gives Skia an empty typeface that silently draws nothing, so the
/// choice is made by asking the typeface, not by hoping.
/// </summary>
internal abstract class LabelFont : IDisposable
{
    /// <summary>Every character a label can hold: the category names, the unused-slot name and a score.</summary>
    public static readonly string Alphabet = new(CocoCategories.Ids.Select(CocoCategories.Name)
        .Append(CocoCategories.Unused).Append("0123456789.").SelectMany(s => s).Distinct().Order().ToArray());

    /// <summary>A font about <paramref name="pixelHeight"/> pixels tall from <paramref name="typeface"/>, or the bitmap glyphs.</summary>
    public static LabelFont For(SKTypeface typeface, int pixelHeight)
    {
        var font = new SKFont(typeface, pixelHeight);
        if (font.ContainsGlyphs(Alphabet)) return new TypefaceFont(font);
        font.Dispose();
        return new BitmapFont(Math.Max(1, pixelHeight / BitmapGlyphs.Rows));
    }

    /// <summary>The line height in pixels.</summary>
    public abstract float Height { get; }

    public abstract float Width(string text);

    /// <summary>Draws <paramref name="text"/> with the top of its line at <paramref name="top"/>.</summary>
    public abstract void Draw(SKCanvas canvas, string text, float left, float top, SKPaint paint);

    public virtual void Dispose() { }

    private sealed class TypefaceFont(SKFont font) : LabelFont
    {
        public override float Height => font.Metrics.Descent - font.Metrics.Ascent;

        public override float Width(string text) => font.MeasureText(text);

        public override void Draw(SKCanvas canvas, string text, float left, float top, SKPaint paint) =>
            canvas.DrawText(text, left, top - font.Metrics.Ascent, SKTextAlign.Left, font, paint);

        public override void Dispose() => font.Dispose();
    }

    private sealed class BitmapFont(int scale) : LabelFont
    {
        public override float Height => BitmapGlyphs.Rows * scale;

        public override float Width(string text) => BitmapGlyphs.Width(text, scale);

        public override void Draw(SKCanvas canvas, string text, float left, float top, SKPaint paint) =>
            BitmapGlyphs.Draw(canvas, text, left, top, scale, paint);
    }
}
