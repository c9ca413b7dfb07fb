using System.Runtime.CompilerServices;
using System.Text;
using NeuralCore.Layers.Import;

namespace NeuralCore.Layers.Tests.Models;

/// <summary>How far ours is from PyTorch: the worst error relative to its scale, and where it is.</summary>
internal readonly record struct Mismatch(double Error, string Where)
{
    public static Mismatch None { get; } = new(0, "nothing");

    public static Mismatch Worst(Mismatch a, Mismatch b) => b.Error > a.Error ? b : a;

    public override string ToString() => $"{Error:G3} at {Where}";
}

/// <summary>
/// The worst single element (<see cref="Element"/>) and the worst aggregate (<see cref="Aggregate"/>: a whole
/// array's relative L2 error, a gradient's sum or norm), which float32 noise moves far less than single elements.
/// </summary>
internal readonly record struct Errors(Mismatch Element, Mismatch Aggregate)
{
    public static Errors None { get; } = new(Mismatch.None, Mismatch.None);

    public static Errors Worst(Errors a, Errors b) => new(Mismatch.Worst(a.Element, b.Element), Mismatch.Worst(a.Aggregate, b.Aggregate));

    public override string ToString() => $"element {Element}; aggregate {Aggregate}";
}

/// <summary>
/// What Fixtures/make_seed_model_fixtures.py computed for one seed model in PyTorch (float64), and comparisons of
/// our float32 results with it. Errors are relative to a scale that does not vanish with the value itself:
/// |ours - torch| / (|torch| + RMS of the torch tensor).
/// </summary>
internal sealed class TorchReference
{
    /// <summary>Columns of a parameter's gradient summary row: tensor index, element count, sum, sum |g|, L2, then samples.</summary>
    private const int IndexColumn = 0, CountColumn = 1, SumColumn = 2, AbsSumColumn = 3, NormColumn = 4, FirstSampleColumn = 5, Samples = 16;

    private readonly string _path;
    private readonly Dictionary<string, RawTensor> _arrays;
    private readonly float[] _summaries;
    private readonly int _summaryColumns;

    private TorchReference(string path)
    {
        _path = path;
        _arrays = Npz.Read(path).ToDictionary(t => t.Name, StringComparer.Ordinal);
        ParameterNames = Encoding.ASCII.GetString(Array("param_names").Data).Split('\n');
        var summaries = Array("param_grads");
        (_summaries, _summaryColumns) = (summaries.ToFloat32(), (int)summaries.Shape[1]);
    }

    public static TorchReference Load(string model, [CallerFilePath] string source = "") =>
        new(Path.Combine(Path.GetDirectoryName(source)!, "Fixtures", model.Replace('-', '_') + ".npz"));

    public int TensorCount => (int)Array("tensor_count").ToFloat32()[0];

    public double Loss => BitConverter.ToDouble(Array("loss").Data);

    /// <summary>The trainable parameters' Keras names (layer/weight), one per row of the gradient summaries.</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>
    /// Compares an NHWC output [N, H, W, C] with the fixture's <paramref name="key"/>: in full, or for a big output
    /// as the script stores it, 8x8 block sums and the 16x16 centre crop.
    /// </summary>
    public Errors CompareField(string key, float[] ours, int[] shape)
    {
        if (_arrays.ContainsKey(key)) return Compare(key, ours, Array(key).ToFloat32());
        var (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3]);
        var blocks = new float[n * (h / 8) * (w / 8) * c];
        var crop = new float[n * 16 * 16 * c];
        for (int b = 0; b < n; b++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        float v = ours[((b * h + y) * w + x) * c + ch];
                        blocks[((b * (h / 8) + y / 8) * (w / 8) + x / 8) * c + ch] += v;
                        int cy = y - (h / 2 - 8), cx = x - (w / 2 - 8);
                        if (cy is >= 0 and < 16 && cx is >= 0 and < 16) crop[((b * 16 + cy) * 16 + cx) * c + ch] = v;
                    }
        return Errors.Worst(Compare(key + "_blocks", blocks, Array(key + "_blocks").ToFloat32()),
            Compare(key + "_crop", crop, Array(key + "_crop").ToFloat32()));
    }

    /// <summary>
    /// A gradient scale below which differences are rounding noise: 3e-5 of the model's largest parameter gradient
    /// RMS (the smallest nonzero gradient RMS is 6e-5 of it in unet-pix2pix, 1.3e-4 in unet-densenet121). Without it, a
    /// gradient that is zero in exact arithmetic (MobileNetV2's project_BN beta: the 1x1 convolution and BN that follow
    /// remove any per-channel shift) would have to come out zero in float32 too; ours is 2e-7 of the largest RMS.
    /// </summary>
    public double GradientFloor => 3e-5 * Enumerable.Range(0, ParameterNames.Count)
        .Select(SummaryRow).Max(summary => summary[NormColumn] / Math.Sqrt(summary[CountColumn]));

    /// <summary>
    /// Compares our gradient of the parameter in summary row <paramref name="row"/> with the fixture's summary:
    /// aggregates (the sum relative to sum |g|, the L2 norm relative to itself) and 16 strided elements relative to
    /// |g| + RMS(g), every scale raised by <paramref name="floor"/> per element. Throws if the parameter is not tensor
    /// <paramref name="tensorIndex"/> of PyTorch's weight order or has another size.
    /// </summary>
    public Errors CompareGradient(int row, int tensorIndex, float[] ours, double floor)
    {
        string name = ParameterNames[row];
        var want = SummaryRow(row);
        if (want[IndexColumn] != tensorIndex || want[CountColumn] != ours.Length)
            throw new InvalidDataException($"{_path}: {name} is tensor {want[IndexColumn]} of {want[CountColumn]} elements in PyTorch, " +
                $"tensor {tensorIndex} of {ours.Length} in ours");
        double sum = 0, squares = 0;
        foreach (float g in ours) (sum, squares) = (sum + g, squares + (double)g * g);
        double n = ours.Length, norm = want[NormColumn], rms = norm / Math.Sqrt(n);
        var aggregate = Mismatch.Worst(
            new(Ratio(sum, want[SumColumn], want[AbsSumColumn] + floor * n), $"{name} sum (ours {sum:G6}, torch {want[SumColumn]:G6})"),
            new(Ratio(Math.Sqrt(squares), norm, norm + floor * Math.Sqrt(n)), $"{name} L2 (ours {Math.Sqrt(squares):G6}, torch {norm:G6})"));
        var element = Mismatch.None;
        for (int k = 0; k < Samples; k++)
        {
            int i = (int)((2L * k + 1) * ours.Length / (2 * Samples));
            double t = want[FirstSampleColumn + k];
            element = Mismatch.Worst(element, new(Ratio(ours[i], t, Math.Abs(t) + rms + floor), $"{name}[{i}] (ours {ours[i]:G6}, torch {t:G6}, RMS {rms:G4})"));
        }
        return new(element, aggregate);
    }

    private float[] SummaryRow(int row) => _summaries.AsSpan(row * _summaryColumns, _summaryColumns).ToArray();

    /// <summary>Elements relative to |torch| + RMS(torch); the aggregate is ||ours - torch|| / ||torch||.</summary>
    private Errors Compare(string key, float[] ours, float[] want)
    {
        if (want.Length != ours.Length) throw new InvalidDataException($"{_path}: {key} has {want.Length} elements, ours {ours.Length}");
        double squares = 0, differenceSquares = 0;
        for (int i = 0; i < want.Length; i++)
            (squares, differenceSquares) = (squares + (double)want[i] * want[i], differenceSquares + Math.Pow(ours[i] - want[i], 2));
        double rms = Math.Sqrt(squares / want.Length);
        var element = Mismatch.None;
        for (int i = 0; i < want.Length; i++)
        {
            double error = Ratio(ours[i], want[i], Math.Abs(want[i]) + rms);
            if (error > element.Error) element = new(error, $"{key}[{i}] (ours {ours[i]:G6}, torch {want[i]:G6}, RMS {rms:G4})");
        }
        return new(element, new(Ratio(Math.Sqrt(differenceSquares), 0, Math.Sqrt(squares)), $"{key} relative L2"));
    }

    /// <summary>|ours - want| / scale; a zero scale demands exactly <paramref name="want"/>.</summary>
    private static double Ratio(double ours, double want, double scale) =>
        scale > 0 ? Math.Abs(ours - want) / scale : ours == want ? 0 : double.PositiveInfinity;

    private RawTensor Array(string key) =>
        _arrays.TryGetValue(key, out var array) ? array : throw new KeyNotFoundException($"{_path}: no array '{key}'");
}
