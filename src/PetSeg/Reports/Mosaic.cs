using NeuralCore.Layers.Import;
using PetSeg.Codecs;
using PetSeg.Reports.Raster;

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
    private const int TitleScale = 2, LegendScale = 2, Swatch = 14;
    private static readonly int TitleHeight = BitmapFont.CellHeight * TitleScale + 4;
    private static readonly int LegendLineHeight = Math.Max(Swatch, BitmapFont.CellHeight * LegendScale) + 4;

    /// <summary>Renders the rows. <paramref name="tileSize"/> defaults to the largest input side, multiplied by the
    /// smallest whole factor that reaches <see cref="MinTile"/> (a 128-px model input becomes a crisp 256-px tile).</summary>
    public static Image8 Render(IReadOnlyList<MosaicRow> rows, IReadOnlyList<string> classNames, int? tileSize = null)
    {
        if (rows.Count == 0) throw new ArgumentException("mosaic: no rows to draw");
        for (int i = 0; i < rows.Count; i++) CheckRow(rows[i], i);
        int side = rows.Max(r => Math.Max(r.Input.Width, r.Input.Height));
        int tile = tileSize ?? side * ((MinTile + side - 1) / side);
        var palette = SegmentationPalette.For(classNames);

        int width = 2 * Margin + 3 * tile + 2 * Gap;
        var present = rows.SelectMany(r => r.Truth.Concat(r.Prediction)).Where(v => v < classNames.Count).Distinct().Order().ToList();
        var legend = LegendLayout(present, classNames, width - 2 * Margin);
        int legendHeight = legend.Count == 0 ? 0 : 3 * Gap + legend.Max(e => e.Y) + LegendLineHeight;
        int height = Margin + TitleHeight + rows.Count * tile + (rows.Count - 1) * Gap + legendHeight + Margin;

        var canvas = new Canvas(width, height, new Rgb(255, 255, 255));
        for (int c = 0; c < 3; c++)
        {
            int scale = BitmapFont.Measure(ColumnTitles[c], TitleScale) <= tile ? TitleScale : 1;
            canvas.Text(TileOrigin(0, c, tile).X + (tile - BitmapFont.Measure(ColumnTitles[c], scale)) / 2, Margin, ColumnTitles[c], ChartLayout.Ink, scale);
        }
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            Image8[] tiles = [row.Input.ToRgb(), Paint(row.Truth, row.Input.Width, row.Input.Height, palette), Paint(row.Prediction, row.Input.Width, row.Input.Height, palette)];
            for (int c = 0; c < 3; c++)
            {
                var (x, y) = TileOrigin(r, c, tile);
                canvas.Blit(Fit(tiles[c], tile), x, y);
            }
        }
        int legendTop = height - Margin - legendHeight + 3 * Gap;
        foreach (var (classId, x, y) in legend)
        {
            canvas.FillRect(Margin + x, legendTop + y, Margin + x + Swatch, legendTop + y + Swatch, palette[classId]);
            canvas.StrokeRect(Margin + x, legendTop + y, Margin + x + Swatch, legendTop + y + Swatch, ChartLayout.Axis);
            canvas.Text(Margin + x + Swatch + 5, legendTop + y, classNames[classId], ChartLayout.Ink, LegendScale);
        }
        return canvas.ToImage();
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

    /// <summary>Scales an RGB image (nearest neighbour) to fit a tile x tile square, centred on white.</summary>
    private static Image8 Fit(Image8 image, int tile)
    {
        double scale = Math.Min((double)tile / image.Width, (double)tile / image.Height);
        int w = Math.Max(1, (int)Math.Round(image.Width * scale)), h = Math.Max(1, (int)Math.Round(image.Height * scale));
        int ox = (tile - w) / 2, oy = (tile - h) / 2;
        var output = new byte[tile * tile * 3];
        output.AsSpan().Fill(255);
        var source = image.Pixels;
        for (int y = 0; y < h; y++)
        {
            int sy = Math.Min(image.Height - 1, (int)((y + 0.5) / scale));
            for (int x = 0; x < w; x++)
            {
                int sx = Math.Min(image.Width - 1, (int)((x + 0.5) / scale));
                source.AsSpan((sy * image.Width + sx) * 3, 3).CopyTo(output.AsSpan(((oy + y) * tile + ox + x) * 3, 3));
            }
        }
        return new Image8(tile, tile, 3, output);
    }

    /// <summary>Legend entries flowed left to right and wrapped to <paramref name="width"/>: (class, x, y) offsets.</summary>
    private static List<(int ClassId, int X, int Y)> LegendLayout(List<byte> classes, IReadOnlyList<string> names, int width)
    {
        var entries = new List<(int, int, int)>();
        int x = 0, y = 0;
        foreach (int c in classes)
        {
            int entryWidth = Swatch + 5 + BitmapFont.Measure(names[c], LegendScale);
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
