using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>global_avg_pool: Keras GlobalAveragePooling2D, the mean over H and W (its reference is the mean kernel's).</summary>
public static partial class Ops
{
    /// <summary>x [N, H, W, C] -> y [N, C], or [N, 1, 1, C] with <paramref name="keepDims"/>.</summary>
    public static Tensor GlobalAvgPool(Tensor x, bool keepDims = false)
    {
        const string op = "global_avg_pool";
        OpCheck.Rank(op, "x", x, 4, "[N, H, W, C]");
        OpCheck.That(x.Shape[1] > 0 && x.Shape[2] > 0, op, $"x must have a non-empty H and W, got {x.Describe()}");
        OpCheck.Float(op, "x", x);
        var kernels = Backend.For(op, x);
        int n = x.Shape[0], channels = x.Shape[3];
        var y = Tensor.Empty(keepDims ? [n, 1, 1, channels] : [n, channels], x.DType, x.Device);
        using var xc = x.Contiguous();
        kernels.GlobalAvgPool(xc, y);
        return y;
    }
}

public static partial class OpCatalog
{
    public static readonly OpDef GlobalAvgPool = new()
    {
        Name = "global_avg_pool", Signature = "x[N,H,W,C] -> y[N,C] (keepdims: [N,1,1,C])",
        DifferentiableInputs = [0], Tolerance = Tolerance.Accumulating,
        Run = (x, a) => [Ops.GlobalAvgPool(x[0], (bool)a!)],
        Cases =
        [
            new("odd", [new([2, 5, 7, 3])], false),
            new("keepdims", [new([3, 4, 3, 5])], true),
            new("split over threads", [new([3, 31, 29, 13])], false),
            new("large", [new([8, 16, 16, 1024])], false, Bench: true),
        ],
    };
}
