using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Tests;

/// <summary>Comparison with a tolerance (<see cref="ToleranceCheck"/>), reporting the worst and first bad element.</summary>
public static class TensorAssert
{
    public static void Close(Tensor expected, Tensor actual, Tolerance tol, string label)
    {
        if (ToleranceCheck.Compare(expected, actual, tol) is { } problem) Assert.Fail($"{label}: {problem}");
    }
}
