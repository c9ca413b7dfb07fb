using System.Xml.Linq;
using PetSeg.Codecs;
using PetSeg.Reports;
using ScottPlot;

namespace PetSeg.Tests.Reports;

/// <summary>The curve charts: the series each chart holds, and the ScottPlot pictures (PNG ink where the data is,
/// SVG text that names the chart, its axes and its legend).</summary>
public sealed class ChartTests
{
    private static IReadOnlyList<EpochMetrics> Epochs(int count) => Enumerable.Range(1, count).Select(e => MetricsCsvTests.Row(e)).ToList();

    [Fact]
    public void Charts_hold_loss_accuracy_and_miou_with_train_val_and_per_class_series()
    {
        var charts = CurvePlot.Charts(Epochs(5), ClassNames.OxfordPet);
        Assert.Equal(["Loss", "Pixel accuracy", "Mean IoU (validation)"], charts.Select(c => c.Title));
        Assert.Equal(["train", "val"], charts[0].Series.Select(s => s.Name));
        Assert.Equal(["train", "val"], charts[1].Series.Select(s => s.Name));
        Assert.Equal(["val mIoU", "IoU pet", "IoU background", "IoU border"], charts[2].Series.Select(s => s.Name));
        Assert.All(charts.SelectMany(c => c.Series), s => Assert.Equal(5, s.Finite.Count));
        Assert.All(charts, c => Assert.Equal("epoch", c.XLabel));
    }

    [Fact]
    public void Many_classes_leave_the_per_class_lines_out_and_missing_validation_leaves_its_series_out()
    {
        var rows = Epochs(3).Select(r => r with { ValLoss = double.NaN, ValClassIoU = Enumerable.Repeat(0.5, 59).ToList() }).ToList();
        var charts = CurvePlot.Charts(rows, ClassNames.Numeric(59));
        Assert.Single(ChartRenderer.Build(charts[0]).GetPlottables());
        Assert.Single(ChartRenderer.Build(charts[2]).GetPlottables());
    }

    [Fact]
    public void Png_has_the_series_colour_along_the_line_and_white_paper_away_from_it()
    {
        var chart = new Chart("Known", "epoch", "value", [new ChartSeries("line", new Rgb(0, 0, 255), [(1, 0.0), (9, 1.0)])]);
        var plot = ChartRenderer.Build(chart);
        var image = ImageCodec.Decode(plot.GetImageBytes(ChartRenderer.Width, ChartRenderer.Height, ScottPlot.ImageFormat.Png), "chart.png");
        Assert.Equal((ChartRenderer.Width, ChartRenderer.Height), (image.Width, image.Height));

        (byte R, byte G, byte B) At(double x, double y)
        {
            int o = ((int)Math.Floor(y) * image.Width + (int)Math.Floor(x)) * image.Channels;
            return (image.Pixels[o], image.Pixels[o + 1], image.Pixels[o + 2]);
        }
        for (double t = 0.05; t < 1; t += 0.05)
        {
            var pixel = plot.GetPixel(new Coordinates(1 + 8 * t, t)); // where the last render put this data point
            var on = At(pixel.X, pixel.Y);
            Assert.True(on.B > 200 && on.R < 90 && on.G < 90, $"pixel on the line at t={t:F2} ({pixel.X:F1}, {pixel.Y:F1}) is {on}, expected blue");
            var off = At(pixel.X, pixel.Y - 25);
            Assert.True(off.R > 200 && off.G > 200 && off.B > 200, $"pixel 25 px above the line at t={t:F2} is {off}, expected paper");
        }
    }

    [Fact]
    public void Svg_is_well_formed_and_names_the_chart_its_axes_and_its_series()
    {
        var chart = CurvePlot.Charts(Epochs(4), ClassNames.OxfordPet)[0];
        var svg = ChartRenderer.Svg(chart);
        var doc = XDocument.Parse(svg);
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        string text = string.Concat(doc.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value + "\n"));
        foreach (var label in new[] { "Loss", "epoch", "loss", "train", "val" }) Assert.Contains(label, text);
    }

    [Fact]
    public void Write_puts_an_svg_and_a_png_of_each_chart_in_the_folder()
    {
        var folder = Directory.CreateTempSubdirectory("petseg-curves-").FullName;
        try
        {
            var files = CurvePlot.Write(folder, Epochs(2), ClassNames.OxfordPet);
            Assert.Equal(["loss.svg", "loss.png", "accuracy.svg", "accuracy.png", "miou.svg", "miou.png"], files);
            Assert.All(files.Where(f => f.EndsWith(".png")), f => Assert.Equal(ChartRenderer.Width, ImageCodec.DecodeFile(Path.Combine(folder, f)).Width));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
