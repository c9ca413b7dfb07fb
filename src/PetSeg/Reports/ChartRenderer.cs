using ScottPlot;

namespace PetSeg.Reports;

/// <summary>
/// Draws a <see cref="Chart"/> with ScottPlot as PNG or SVG: one line per series that has finite points, dots on
/// the measured epochs while they stay apart, whole-number epoch ticks, and the legend outside the plot on the
/// right so that it never covers a curve.
/// </summary>
public static class ChartRenderer
{
    public const int Width = 800, Height = 480;

    /// <summary>Beyond this many points markers merge into a bead string; the line alone reads better.</summary>
    public const int MaxMarkers = 40;

    public static byte[] Png(Chart chart) => Build(chart).GetImageBytes(Width, Height, ImageFormat.Png);

    public static string Svg(Chart chart) => Build(chart).GetSvgXml(Width, Height);

    /// <summary>The ScottPlot figure of <paramref name="chart"/>; tests render it and ask where data points landed.</summary>
    public static Plot Build(Chart chart)
    {
        var plot = new Plot();
        foreach (var series in chart.Series)
        {
            var points = series.Finite;
            if (points.Count == 0) continue;
            var line = plot.Add.ScatterLine(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), ToColor(series.Colour));
            line.LegendText = series.Name;
            line.LineWidth = series.Thin ? 1.5f : 2.5f;
            // A one-epoch run is a dot and no line, so main series always get markers while they stay readable.
            bool markers = !series.Thin && points.Count <= MaxMarkers;
            line.MarkerShape = markers ? MarkerShape.FilledCircle : MarkerShape.None;
            line.MarkerSize = markers ? 7 : 0;
        }
        plot.Title(chart.Title, size: 20);
        plot.XLabel(chart.XLabel, size: 16);
        plot.YLabel(chart.YLabel, size: 16);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (plot.GetPlottables().Any())
        {
            plot.ShowLegend(Edge.Right);
            plot.Legend.FontSize = 13;
        }
        return plot;
    }

    private static Color ToColor(Rgb c) => new(c.R, c.G, c.B);
}
