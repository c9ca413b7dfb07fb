using PetSeg.Codecs;
using PetSeg.Detection;
using SkiaSharp;

namespace PetSeg.Tests.Detection;

/// <summary>
/// The detection picture: masks blended, boxes outlined, and the label text present whatever fonts the machine has
/// (Skia's empty typeface, which a machine without fonts gets, draws nothing, so the bitmap glyphs take over).
/// </summary>
public sealed class DetectionOverlayTests
{
    private const int Width = 120, Height = 90;

    private static Image8 Gray() => new(Width, Height, 3, Enumerable.Repeat((byte)128, Width * Height * 3).ToArray());

    private static DetectedObject Person(byte[]? mask = null) => new(30, 40, 100, 85, 1, 0.87f, mask ?? new byte[Width * Height]);

    [Fact]
    public void Every_label_character_has_a_bitmap_glyph()
    {
        Assert.True(BitmapGlyphs.Covers(LabelFont.Alphabet), $"no glyph for some of '{LabelFont.Alphabet}'");
        foreach (var id in CocoCategories.Ids) Assert.True(BitmapGlyphs.Covers(CocoCategories.Name(id) + " 0.50"));
        Assert.Equal(80, CocoCategories.Ids.Count());
    }

    [Fact]
    public void An_empty_typeface_draws_nothing_so_the_bitmap_glyphs_are_used()
    {
        using var font = new SKFont(SKTypeface.Empty, 12);
        Assert.False(font.ContainsGlyphs("person"));
        using var label = LabelFont.For(SKTypeface.Empty, 16);
        Assert.Equal(BitmapGlyphs.Width("person 0.87", 2), label.Width("person 0.87"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_label_text_appears_on_its_tab(bool emptyTypeface)
    {
        var picture = DetectionOverlay.Draw(Gray(), [Person()], emptyTypeface ? SKTypeface.Empty : SKTypeface.Default);

        // The tab sits above the box (y 40): its colour, and text pixels of another colour inside it.
        var tab = DetectionOverlay.Colour(0);
        int tabPixels = 0, textPixels = 0;
        for (int y = 30; y < 40; y++)
            for (int x = 30; x < 80; x++)
            {
                int o = (y * Width + x) * 3;
                var pixel = (picture.Pixels[o], picture.Pixels[o + 1], picture.Pixels[o + 2]);
                if (pixel == (tab.Red, tab.Green, tab.Blue)) tabPixels++;
                else if (pixel != (128, 128, 128)) textPixels++;
            }
        Assert.True(tabPixels > 100, $"{tabPixels} pixels of the tab colour above the box");
        Assert.True(textPixels > 20, $"{textPixels} text pixels on the tab");
    }

    [Fact]
    public void Masks_are_blended_half_and_half_and_the_rest_stays_the_photo()
    {
        var mask = new byte[Width * Height];
        for (int y = 50; y < 70; y++)
            for (int x = 40; x < 90; x++) mask[y * Width + x] = 1;
        var picture = DetectionOverlay.Draw(Gray(), [Person(mask)], SKTypeface.Empty);

        var colour = DetectionOverlay.Colour(0);
        int inside = (60 * Width + 60) * 3;
        Assert.Equal(((128 + colour.Red + 1) / 2, (128 + colour.Green + 1) / 2, (128 + colour.Blue + 1) / 2),
            (picture.Pixels[inside], picture.Pixels[inside + 1], picture.Pixels[inside + 2]));
        Assert.Equal((colour.Red, colour.Green, colour.Blue), (picture.Pixels[(85 * Width + 60) * 3], picture.Pixels[(85 * Width + 60) * 3 + 1],
            picture.Pixels[(85 * Width + 60) * 3 + 2]));
        Assert.Equal(128, picture.Pixels[(10 * Width + 5) * 3]);
        Assert.Equal(Height, picture.Height);
    }
}
