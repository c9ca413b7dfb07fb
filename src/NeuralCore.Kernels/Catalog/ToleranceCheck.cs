using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Catalog;

/// <summary>
/// The conformance comparison, shared by the tests and by `bench -- gpu-check` (which runs it on a real GPU):
/// |actual - expected| &lt;= abs + rel*|expected| + ofRms*rms(expected), NaN matching NaN.
/// </summary>
public static class ToleranceCheck
{
    /// <summary>Null when every element is within <paramref name="tol"/>, else a line naming the first and the worst bad element.</summary>
    public static string? Compare(Tensor expected, Tensor actual, Tolerance tol)
    {
        if (expected.Shape != actual.Shape) return $"shape {actual.Shape}, expected {expected.Shape}";
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        double allowed = tol.Abs + (tol.OfRms == 0 ? 0 : tol.OfRms * Math.Sqrt(e.Sum(x => x * x) / Math.Max(1, e.Length)));
        double maxDiff = 0;
        int first = -1, worst = -1;
        for (int i = 0; i < e.Length; i++)
        {
            double diff = Math.Abs(a[i] - e[i]);
            bool bad = !(diff <= allowed + tol.Rel * Math.Abs(e[i])) && !(double.IsNaN(a[i]) && double.IsNaN(e[i])) && a[i] != e[i];
            if (bad && first < 0) first = i;
            if (diff > maxDiff || double.IsNaN(diff)) { maxDiff = diff; worst = i; }
        }
        return first < 0
            ? null
            : $"element {first} is {a[first]:G9}, expected {e[first]:G9} (tolerance abs {tol.Abs} rel {tol.Rel} of rms {tol.OfRms}: {allowed:E3} + rel); max |diff| {maxDiff:E3} at {worst}";
    }
}
