using NeuralCore.Kernels;
using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd.Tests;

/// <summary>
/// For every differentiable catalog op, on the gradient check's small cases: the gradient autograd computes through
/// the GPU backend (its forward and backward kernels on the emulator, float32) equals the gradient of the same
/// function in float64 on the CPU, which <see cref="GradientCheckTests"/> proves equal to central finite
/// differences. Both reduce the output with the same random projection, so every output element's path counts.
/// </summary>
public class GpuGradientTests
{
    /// <summary>float32 against float64: a few hundred ulps of float32 on sums of a few dozen terms.</summary>
    private const double Abs = 2e-4, Rel = 2e-3;

    public static TheoryData<string, int> Cases() => GradientCheckTests.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void EmulatedGradientMatchesTheFloat64Gradient(string opName, int caseIndex)
    {
        var op = OpCatalog.Get(opName);
        var rule = GradRules.All[opName];
        var opCase = op.Cases[caseIndex];
        var expected = Gradients(rule, opCase, op.DifferentiableInputs, DType.Float64, Device.Cpu);
        var actual = Gradients(rule, opCase, op.DifferentiableInputs, DType.Float32, Device.Emulated);
        foreach (int i in op.DifferentiableInputs)
        {
            var e = expected[i];
            var a = actual[i];
            double scale = e.Max(Math.Abs);
            for (int j = 0; j < e.Length; j++)
                Assert.True(Math.Abs(a[j] - e[j]) <= Abs * Math.Max(1, scale) + Rel * Math.Abs(e[j]),
                    $"{opName} [{opCase}] input {i} element {j}: emulated {a[j]:G9}, float64 cpu {e[j]:G9}");
        }
    }

    /// <summary>d(sum(f(x) * r))/dx for each differentiable input, computed on <paramref name="device"/>.</summary>
    private static Dictionary<int, double[]> Gradients(GradRule rule, OpCase opCase, IReadOnlyList<int> wrt, DType dtype, Device device)
    {
        using var scope = TensorScope.Begin();
        var inputs = CaseInputs.Create(opCase, dtype, seed: 99).Select(t => t.To(device)).ToArray();
        foreach (int i in wrt) inputs[i].RequiresGrad = true;
        var y = rule.Apply(inputs, opCase.Attrs);
        var r = new double[y.ElementCount];
        new RandomGenerator(7).FillNormal(r);
        var projection = dtype == DType.Float64
            ? Tensor.FromArray(r, y.Shape, device)
            : Tensor.FromArray(Array.ConvertAll(r, v => (float)v), y.Shape, device);
        F.Sum(F.Mul(y, projection)).Backward();
        var grads = wrt.ToDictionary(i => i, i => inputs[i].Grad?.ToDoubleArray() ?? new double[inputs[i].ElementCount]);
        foreach (int i in wrt) inputs[i].Grad?.Dispose();
        return grads;
    }
}
