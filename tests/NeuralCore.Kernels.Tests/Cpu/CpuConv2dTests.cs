using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Tests.Cpu;

/// <summary>
/// The fast Cpu convolutions against the reference loops on shapes that cross the blocking edges the catalog's small
/// cases never reach: depth K over one 256-deep block, more than one 32-wide column panel (and a partial one), more
/// than one 336-row A block, input-gradient stride phases whose rows are not evenly spaced in dx or that no tap
/// reaches, 1x1 kernels off the plain-GEMM path, and depthwise channel counts with a vector tail. Each case runs
/// all three passes; the Cpu result must also repeat bit for bit.
/// </summary>
public class CpuConv2dTests
{
    private static readonly Conv2dAttrs Same = new() { Padding = Padding2d.Same };

    public static TheoryData<string, Shape, Shape, Conv2dAttrs> Convolutions => new()
    {
        { "K 270 (two depth blocks), N 40 (partial panel), M 798 (three A blocks)", [2, 19, 21, 30], [3, 3, 30, 40], Same },
        { "s2 same: four phases, rows unevenly spaced in dx", [2, 17, 15, 20], [3, 3, 20, 36], Same with { Stride = 2 } },
        { "4x4 s2 d2 asymmetric explicit padding", [1, 16, 13, 9], [4, 4, 9, 33], new() { Padding = Padding2d.Explicit(2, 1, 0, 3), Stride = 2, Dilation = 2 } },
        { "2x2 s3 valid: phases no tap reaches", [2, 10, 11, 7], [2, 2, 7, 18], new() { Stride = 3 } },
        { "N 900: weight gradient packs dy in two blocks", [1, 6, 5, 2], [3, 3, 2, 900], Same },
        { "1x1 s2: general path", [2, 9, 8, 20], [1, 1, 20, 35], new() { Stride = 2 } },
        { "1x1 padded: general path", [1, 6, 7, 5], [1, 1, 5, 9], new() { Padding = Padding2d.Explicit(1, 0, 0, 1) } },
        { "1x1 pointwise GEMM", [3, 11, 13, 37], [1, 1, 37, 45], new() },
        { "depthwise 37 channels s2 (vector tail)", [2, 13, 11, 37], [3, 3, 1, 37], Same with { Stride = 2, Groups = 37 } },
        { "depthwise 5x5 d2", [2, 9, 10, 21], [5, 5, 1, 21], Same with { Dilation = 2, Groups = 21 } },
    };

    [Theory]
    [MemberData(nameof(Convolutions))]
    public void AllPassesMatchTheReference(string label, Shape x, Shape w, Conv2dAttrs attrs)
    {
        Shape y = Ops.Conv2dOutputShape(x, w, attrs);
        var inputs = CaseInputs.Create(new OpCase(label, [new(x), new(w), new(y)]), DType.Float32, seed: 7);
        Check(label + ", conv2d", () => Ops.Conv2d(inputs[0], inputs[1], attrs));
        Check(label + ", conv2d_backward_input", () => Ops.Conv2dBackwardInput(inputs[2], inputs[1], x, attrs));
        Check(label + ", conv2d_backward_weight", () => Ops.Conv2dBackwardWeight(inputs[0], inputs[2], w, attrs));
        foreach (var t in inputs) t.Dispose();
    }

    public static TheoryData<string, Shape, Shape, ConvTranspose2dAttrs> TransposedConvolutions => new()
    {
        { "4x4 s2 same, K 640", [2, 7, 6, 40], [4, 4, 24, 40], new() { Padding = Padding2d.Same, Stride = 2 } },
        { "3x3 s2 p1 op1, N 17", [2, 5, 6, 33], [3, 3, 17, 33], new() { Padding = Padding2d.Symmetric(1, 1), Stride = 2, OutputPadding = 1 } },
    };

    [Theory]
    [MemberData(nameof(TransposedConvolutions))]
    public void TransposedPassesMatchTheReference(string label, Shape x, Shape w, ConvTranspose2dAttrs attrs)
    {
        Shape y = Ops.ConvTranspose2dOutputShape(x, w, attrs);
        var inputs = CaseInputs.Create(new OpCase(label, [new(x), new(w), new(y)]), DType.Float32, seed: 11);
        Check(label + ", conv_transpose2d", () => Ops.ConvTranspose2d(inputs[0], inputs[1], attrs));
        Check(label + ", conv_transpose2d_backward_input", () => Ops.ConvTranspose2dBackwardInput(inputs[2], inputs[1], x, attrs));
        Check(label + ", conv_transpose2d_backward_weight", () => Ops.ConvTranspose2dBackwardWeight(inputs[0], inputs[2], w, attrs));
        foreach (var t in inputs) t.Dispose();
    }

    private static void Check(string label, Func<Tensor> run)
    {
        using var expected = RunOn(KernelBackend.Reference, run);
        using var actual = RunOn(KernelBackend.Cpu, run);
        using var again = RunOn(KernelBackend.Cpu, run);
        TensorAssert.Close(expected, actual, Tolerance.Accumulating, label);
        TensorAssert.Close(actual, again, Tolerance.Exact, label + ", second Cpu run");
    }

    private static Tensor RunOn(KernelBackend backend, Func<Tensor> run)
    {
        using var _ = Backend.Use(backend);
        return run();
    }
}
