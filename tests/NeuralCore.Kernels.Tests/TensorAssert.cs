using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Tests;

/// <summary>Comparison with a tolerance |actual - expected| &lt;= abs + rel*|expected| + ofRms*rms(expected), reporting the
/// worst and first bad element.</summary>
public static class TensorAssert
{
    public static void Close(Tensor expected, Tensor actual, Tolerance tol, string label)
    {
        Assert.True(expected.Shape == actual.Shape, $"{label}: shape {actual.Shape}, expected {expected.Shape}");
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
        if (first >= 0)
            Assert.Fail($"{label}: element {first} is {a[first]:G9}, expected {e[first]:G9} (tolerance abs {tol.Abs} rel {tol.Rel} of rms {tol.OfRms}: {allowed:E3} + rel); max |diff| {maxDiff:E3} at {worst}");
    }
}
