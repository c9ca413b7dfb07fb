using NeuralCore.Layers.Import;
using PetSeg.Codecs;
using SkiaSharp;

namespace PetSeg.Reports;

/// <summary>One mosaic row: an input image and its true and predicted label maps ([H, W] class ids, the image's size).</summary>
public sealed record MosaicRow(Image8 Input, byte[] Truth, byte[] Prediction);

/// <summary>
/// Sample predictions as one picture, like the TensorFlow tutorial's <c>display()</c>: rows of input | true mask |
/// predicted mask, masks painted with <see cref="SegmentationPalette"/>, column titles on top and a legend of the
/// classes that appear underneath. Tiles are square; images are scaled to fit with nearest neighbour, which keeps
/// mask edges exactly where the labels are.
/// </summary>
public static class Mosaic
{
    public const int Margin = 10, Gap = 6, MinTile = 192;
    public static readonly string[] ColumnTitles = ["input", "true mask", "predicted mask"];
    private static readonly Rgb Ignored = new(0x80, 0x80, 0x80);
    private static readonly SKColor Ink = new(0x22, 0x22, 0x22), Outline = new(0x44, 0x44, 0x44);
    private const float TitleSize = 22, LegendSize = 18;
    private const int Swatch = 16, TitleHeight = 32, LegendLineHeight = 24;

    /// <summary>Renders the rows. <paramref name="tileSize"/> defaults to the largest input side, multiplied by the
    /// smallest whole factor that reaches <see cref="MinTile"/> (a 128-px model input becomes a crisp 256-px tile).</summary>
    public static Image8 Render(IReadOnlyList<MosaicRow> rows, IReadOnlyList<string> classNames, int? tileSize = null)
    {
        if (rows.Count == 0) throw new ArgumentException("mosaic: no rows to draw");
        for (int i = 0; i < rows.Count; i++) CheckRow(rows[i], i);
        int side = rows.Max(r => Math.Max(r.Input.Width, r.Input.Height));
        int tile = tileSize ?? side * ((MinTile + side - 1) / side);
        var palette = SegmentationPalette.For(classNames);
        using var titleFont = new SKFont(SKTypeface.Default, TitleSize);
        using var legendFont = new SKFont(SKTypeface.Default, LegendSize);

        int width = 2 * Margin + 3 * tile + 2 * Gap;
        var present = rows.SelectMany(r => r.Truth.Concat(r.Prediction)).Where(v => v < classNames.Count).Distinct().Order().ToList();
        var legend = LegendLayout(present, classNames, width - 2 * Margin, legendFont);
        int legendHeight = legend.Count == 0 ? 0 : 3 * Gap + legend.Max(e => e.Y) + LegendLineHeight;
        int height = Margin + TitleHeight + rows.Count * tile + (rows.Count - 1) * Gap + legendHeight + Margin;

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var ink = new SKPaint { Color = Ink, IsAntialias = true };
        for (int c = 0; c < 3; c++)
        {
            float centre = TileOrigin(0, c, tile).X + tile / 2f;
            canvas.DrawText(ColumnTitles[c], centre, Margin + TitleSize, SKTextAlign.Center, titleFont, ink);
        }
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            Image8[] tiles = [row.Input.ToRgb(), Paint(row.Truth, row.Input.Width, row.Input.Height, palette), Paint(row.Prediction, row.Input.Width, row.Input.Height, palette)];
            for (int c = 0; c < 3; c++)
            {
                var (x, y) = TileOrigin(r, c, tile);
                DrawFitted(canvas, tiles[c], x, y, tile);
            }
        }
        int legendTop = height - Margin - legendHeight + 3 * Gap;
        using var swatchFill = new SKPaint();
        using var swatchEdge = new SKPaint { Color = Outline, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        foreach (var (classId, x, y) in legend)
        {
            var box = SKRect.Create(Margin + x, legendTop + y, Swatch, Swatch);
            var colour = palette[classId];
            swatchFill.Color = new SKColor(colour.R, colour.G, colour.B);
            canvas.DrawRect(box, swatchFill);
            canvas.DrawRect(box, swatchEdge);
            canvas.DrawText(classNames[classId], box.Right + 6, box.Bottom - 2, SKTextAlign.Left, legendFont, ink);
        }
        return ToImage(bitmap);
    }

    public static void Write(string path, IReadOnlyList<MosaicRow> rows, IReadOnlyList<string> classNames, int? tileSize = null) =>
        AtomicFile.WriteAllBytes(path, PngEncoder.Encode(Render(rows, classNames, tileSize)));

    /// <summary>Top-left pixel of the tile in <paramref name="row"/> and <paramref name="column"/> (0 input, 1 truth, 2 prediction).</summary>
    public static (int X, int Y) TileOrigin(int row, int column, int tile) => (Margin + column * (tile + Gap), Margin + TitleHeight + row * (tile + Gap));

    private static void CheckRow(MosaicRow row, int index)
    {
        int pixels = row.Input.Width * row.Input.Height;
        if (row.Truth.Length != pixels || row.Prediction.Length != pixels)
            throw new ArgumentException($"mosaic row {index}: input {row.Input.Width}x{row.Input.Height} = {pixels} pixels, " +
                $"but truth has {row.Truth.Length} labels and prediction {row.Prediction.Length}");
    }

    /// <summary>A label map as RGB; ids outside the palette (an ignore label such as 255) are grey.</summary>
    private static Image8 Paint(byte[] labels, int width, int height, IReadOnlyList<Rgb> palette)
    {
        var rgb = new byte[labels.Length * 3];
        for (int i = 0; i < labels.Length; i++)
        {
            var c = labels[i] < palette.Count ? palette[labels[i]] : Ignored;
            rgb[3 * i] = c.R;
            rgb[3 * i + 1] = c.G;
            rgb[3 * i + 2] = c.B;
        }
        return new Image8(width, height, 3, rgb);
    }

    /// <summary>Draws an RGB image scaled (nearest neighbour) to fit a tile x tile square at (x, y), centred.</summary>
    private static unsafe void DrawFitted(SKCanvas canvas, Image8 image, int x, int y, int tile)
    {
        double scale = Math.Min((double)tile / image.Width, (double)tile / image.Height);
        int w = Math.Max(1, (int)Math.Round(image.Width * scale)), h = Math.Max(1, (int)Math.Round(image.Height * scale));
        var rgba = new byte[image.Width * image.Height * 4];
        for (int i = 0, s = 0; s < image.Pixels.Length; i += 4, s += 3)
        {
            image.Pixels.AsSpan(s, 3).CopyTo(rgba.AsSpan(i, 3));
            rgba[i + 3] = 255;
        }
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        fixed (byte* pixels = rgba)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)pixels, info.RowBytes);
            using var source = SKImage.FromPixels(pixmap);
            var destination = SKRect.Create(x + (tile - w) / 2, y + (tile - h) / 2, w, h);
            canvas.DrawImage(source, destination, new SKSamplingOptions(SKFilterMode.Nearest));
        }
    }

    private static Image8 ToImage(SKBitmap bitmap)
    {
        var rgba = bitmap.GetPixelSpan();
        var rgb = new byte[bitmap.Width * bitmap.Height * 3];
        for (int i = 0, o = 0; o < rgb.Length; i += 4, o += 3) rgba.Slice(i, 3).CopyTo(rgb.AsSpan(o, 3));
        return new Image8(bitmap.Width, bitmap.Height, 3, rgb);
    }

    /// <summary>Legend entries flowed left to right and wrapped to <paramref name="width"/>: (class, x, y) offsets.</summary>
    private static List<(int ClassId, int X, int Y)> LegendLayout(List<byte> classes, IReadOnlyList<string> names, int width, SKFont font)
    {
        var entries = new List<(int, int, int)>();
        int x = 0, y = 0;
        foreach (int c in classes)
        {
            int entryWidth = Swatch + 6 + (int)Math.Ceiling(font.MeasureText(names[c]));
            if (x > 0 && x + entryWidth > width)
            {
                x = 0;
                y += LegendLineHeight;
            }
            entries.Add((c, x, y));
            x += entryWidth + 16;
        }
        return entries;
    }
}
