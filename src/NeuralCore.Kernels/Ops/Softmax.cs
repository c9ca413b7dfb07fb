using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>softmax and log_softmax over the last axis (NHWC logits: the classes), and their backward kernels.</summary>
public static partial class Ops
{
    /// <summary>Softmax over the last axis, max-subtracted. x [..., K] -> y [..., K].</summary>
    public static Tensor Softmax(Tensor x) => SoftmaxForward("softmax", x, log: false);

    /// <summary>log(softmax(x)) over the last axis, computed as x - max - log(sum(exp(x - max))). x [..., K] -> y [..., K].</summary>
    public static Tensor LogSoftmax(Tensor x) => SoftmaxForward("log_softmax", x, log: true);

    /// <summary>dx = y * (dy - sum_k(dy * y)), from the softmax output y [..., K].</summary>
    public static Tensor SoftmaxBackward(Tensor y, Tensor dy) => SoftmaxBackward("softmax_backward", y, dy, log: false);

    /// <summary>dx = dy - exp(y) * sum_k(dy), from the log_softmax output y [..., K].</summary>
    public static Tensor LogSoftmaxBackward(Tensor y, Tensor dy) => SoftmaxBackward("log_softmax_backward", y, dy, log: true);

    /// <summary>Checks x is a float tensor with a non-empty last (class) axis.</summary>
    private static void CheckClassAxis(string op, string arg, Tensor x)
    {
        OpCheck.Float(op, arg, x);
        OpCheck.That(x.Rank >= 1 && x.Shape[-1] > 0, op, $"{arg} must have a non-empty last (class) axis [..., K], got {x.Describe()}");
    }

    private static Tensor SoftmaxForward(string op, Tensor x, bool log)
    {
        CheckClassAxis(op, "x", x);
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        using var xc = x.Contiguous();
        Backend.For(op, x).Softmax(xc, log, y);
        return y;
    }

    private static Tensor SoftmaxBackward(string op, Tensor y, Tensor dy, bool log)
    {
        CheckClassAxis(op, "y", y);
        OpCheck.SameDType(op, y, "y", dy, "dy");
        OpCheck.Shape(op, "dy", dy, y.Shape);
        var dx = Tensor.Empty(y.Shape, y.DType, y.Device);
        using var yc = y.Contiguous();
        using var dyc = dy.Contiguous();
        Backend.For(op, y, dy).SoftmaxBackward(yc, dyc, log, dx);
        return dx;
    }
}

public static partial class OpCatalog
{
    /// <summary>3 classes (the pets), 59 (the clothing set), 7 (row groups with a ragged tail), a long row that exercises the SIMD path, a [N, K] matrix.</summary>
    private static OpCase[] SoftmaxCases(int inputs) =>
    [
        new("pets K=3", Enumerable.Repeat(new InputSpec([2, 5, 7, 3]), inputs).ToArray()),
        new("clothing K=59", Enumerable.Repeat(new InputSpec([2, 3, 59]), inputs).ToArray()),
        new("K=7 ragged groups", Enumerable.Repeat(new InputSpec([3, 11, 7]), inputs).ToArray()),
        new("long rows", Enumerable.Repeat(new InputSpec([3, 131]), inputs).ToArray()),
        new("pets 128x128", Enumerable.Repeat(new InputSpec([8, 128, 128, 3]), inputs).ToArray(), Bench: true),
        new("clothing 128x128", Enumerable.Repeat(new InputSpec([8, 128, 128, 59]), inputs).ToArray(), Bench: true),
    ];

    /// <summary>Vectorised exp and a different summation order than the reference.</summary>
    private static readonly Tolerance SoftmaxTolerance = new(1e-6, 1e-5);

    /// <summary>dx = dy - exp(y) * sum(dy): the random test y (not a real log-softmax) reaches exp(y) ~ 20, so the
    /// product reaches ~100 while dx may cancel to near 0. A float32 sum of K = 131 dy's is then off by about one
    /// ulp of 100 (7.6e-5, the same on AVX-512, AVX2 and SSE; which element fails a relative bound depends only on
    /// the summation order), so the absolute bound has to cover that.</summary>
    private static readonly Tolerance LogSoftmaxBackwardTolerance = new(2e-4, 1e-5);

    public static readonly OpDef Softmax = new()
    {
        Name = "softmax", Signature = "x[..., K] -> y[..., K] (over the last axis)", DifferentiableInputs = [0],
        Run = (x, _) => [Ops.Softmax(x[0])], Cases = SoftmaxCases(1), Tolerance = SoftmaxTolerance,
    };

    public static readonly OpDef LogSoftmax = new()
    {
        Name = "log_softmax", Signature = "x[..., K] -> y[..., K] (over the last axis)", DifferentiableInputs = [0],
        Run = (x, _) => [Ops.LogSoftmax(x[0])], Cases = SoftmaxCases(1), Tolerance = SoftmaxTolerance,
    };

    public static readonly OpDef SoftmaxBackward = new()
    {
        Name = "softmax_backward", Signature = "y[..., K], dy[..., K] -> dx[..., K]",
        Run = (x, _) => [Ops.SoftmaxBackward(x[0], x[1])], Cases = SoftmaxCases(2), Tolerance = SoftmaxTolerance,
    };

    public static readonly OpDef LogSoftmaxBackward = new()
    {
        Name = "log_softmax_backward", Signature = "y[..., K], dy[..., K] -> dx[..., K]",
        Run = (x, _) => [Ops.LogSoftmaxBackward(x[0], x[1])], Cases = SoftmaxCases(2), Tolerance = LogSoftmaxBackwardTolerance,
    };
}
