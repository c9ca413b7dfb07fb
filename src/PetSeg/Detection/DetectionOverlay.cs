using PetSeg.Codecs;
using PetSeg.Reports;
using PetSeg.Training;
using SkiaSharp;

namespace PetSeg.Detection;

/// <summary>
/// The picture of a detection pass: the photo with each instance's mask blended in its own colour (half and half, as
/// predict's overlays), its box outlined in that colour, and "category score" on a filled tab of that colour at the
/// box's top-left corner. Colours follow the instance's index (the segmentation palette without its black).
/// </summary>
public static class DetectionOverlay
{
    public static Image8 Draw(Image8 rgb, IReadOnlyList<DetectedObject> objects) => Draw(rgb, objects, SKTypeface.Default);

    /// <summary>As <see cref="Draw(Image8, IReadOnlyList{DetectedObject})"/>, labels drawn with <paramref name="typeface"/>
    /// when it has the glyphs, else with the built-in bitmap glyphs.</summary>
    public static unsafe Image8 Draw(Image8 rgb, IReadOnlyList<DetectedObject> objects, SKTypeface typeface)
    {
        int width = rgb.Width, height = rgb.Height;
        var rgba = BlendMasks(rgb, objects);
        int shortSide = Math.Min(width, height);
        float stroke = Math.Max(1, shortSide / 250);
        using var font = LabelFont.For(typeface, Math.Clamp(shortSide / 30, 8, 32));
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        fixed (byte* pixels = rgba)
        {
            using var surface = SKSurface.Create(info, (IntPtr)pixels, info.RowBytes)
                ?? throw new InvalidOperationException($"Skia refused a {width}x{height} drawing surface");
            var canvas = surface.Canvas;
            using var outline = new SKPaint { Style = SKPaintStyle.Stroke, StrokeWidth = stroke };
            using var fill = new SKPaint { Style = SKPaintStyle.Fill };
            for (int i = 0; i < objects.Count; i++)
            {
                var o = objects[i];
                outline.Color = Colour(i);
                canvas.DrawRect(SKRect.Create(o.X1, o.Y1, o.X2 - o.X1, o.Y2 - o.Y1), outline);
            }
            // Labels after every box, so no box crosses a label.
            for (int i = 0; i < objects.Count; i++) DrawLabel(canvas, objects[i], Colour(i), font, fill, width);
            canvas.Flush();
        }
        return new Image8(width, height, 4, rgba).ToRgb();
    }

    /// <summary>The colour of the instance at <paramref name="index"/>.</summary>
    public static SKColor Colour(int index)
    {
        var c = SegmentationPalette.Mask(1 + index % (SegmentationPalette.MaxClasses - 1));
        return new SKColor(c.R, c.G, c.B);
    }

    /// <summary>The photo as opaque RGBA with each mask blended in, later instances over earlier ones.</summary>
    private static byte[] BlendMasks(Image8 rgb, IReadOnlyList<DetectedObject> objects)
    {
        int count = rgb.Width * rgb.Height;
        var rgba = new byte[count * 4];
        for (int p = 0; p < count; p++)
        {
            rgba[4 * p] = rgb.Pixels[3 * p];
            rgba[4 * p + 1] = rgb.Pixels[3 * p + 1];
            rgba[4 * p + 2] = rgb.Pixels[3 * p + 2];
            rgba[4 * p + 3] = 255;
        }
        const int alpha256 = (int)(PredictionWriter.OverlayAlpha * 256);
        for (int i = 0; i < objects.Count; i++)
        {
            var colour = Colour(i);
            var mask = objects[i].Mask;
            for (int p = 0; p < count; p++)
            {
                if (mask[p] == 0) continue;
                rgba[4 * p] = Blend(rgba[4 * p], colour.Red);
                rgba[4 * p + 1] = Blend(rgba[4 * p + 1], colour.Green);
                rgba[4 * p + 2] = Blend(rgba[4 * p + 2], colour.Blue);
            }
        }
        return rgba;

        static byte Blend(byte image, byte colour) => (byte)((image * (256 - alpha256) + colour * alpha256 + 128) >> 8);
    }

    /// <summary>The label on a tab above the box, or just inside its top when there is no room above; kept in the image.</summary>
    private static void DrawLabel(SKCanvas canvas, DetectedObject o, SKColor colour, LabelFont font, SKPaint fill, int imageWidth)
    {
        string text = o.Label;
        float pad = MathF.Max(1, MathF.Round(font.Height / 8));
        float tabWidth = font.Width(text) + 2 * pad, tabHeight = font.Height + 2 * pad;
        float left = Math.Clamp(o.X1, 0, MathF.Max(0, imageWidth - tabWidth));
        float top = o.Y1 - tabHeight >= 0 ? o.Y1 - tabHeight : MathF.Max(0, o.Y1);
        fill.Color = colour;
        canvas.DrawRect(SKRect.Create(left, top, tabWidth, tabHeight), fill);
        // Dark text on light colours, white on dark ones (Rec. 601 luma).
        double luma = 0.299 * colour.Red + 0.587 * colour.Green + 0.114 * colour.Blue;
        fill.Color = luma > 140 ? SKColors.Black : SKColors.White;
        font.Draw(canvas, text, left + pad, top + pad, fill);
    }
}
