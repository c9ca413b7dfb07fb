namespace PetSeg.Reports;

/// <summary>An sRGB colour for charts and masks.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    public string Hex => $"#{R:x2}{G:x2}{B:x2}";
}

/// <summary>One line of a chart: (x, y) points in data units, drawn in order; NaN points are left out.</summary>
public sealed record ChartSeries(string Name, Rgb Colour, IReadOnlyList<(double X, double Y)> Points, bool Thin = false)
{
    public IReadOnlyList<(double X, double Y)> Finite => Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
}

/// <summary>A line chart: title, axis labels and series; drawn by <see cref="ChartRenderer"/>.</summary>
public sealed record Chart(string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series);
