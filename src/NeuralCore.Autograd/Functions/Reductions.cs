using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

public static partial class F
{
    public static Tensor Sum(Tensor x, int[]? axes = null, bool keepDims = false)
    {
        var xShape = x.Shape;
        return Tape.Record("sum", Ops.Sum(x, axes, keepDims), [x], [], (dy, _, _) => [SpreadBack(dy, xShape, axes, 1.0)]);
    }

    public static Tensor Mean(Tensor x, int[]? axes = null, bool keepDims = false)
    {
        var y = Ops.Mean(x, axes, keepDims);
        var xShape = x.Shape;
        double scale = (double)y.ElementCount / Math.Max(x.ElementCount, 1);
        return Tape.Record("mean", y, [x], [], (dy, _, _) => [SpreadBack(dy, xShape, axes, scale)]);
    }

    public static Tensor BroadcastTo(Tensor x, Shape shape)
    {
        var xShape = x.Shape;
        return Tape.Record("broadcast_to", Ops.BroadcastTo(x, shape), [x], [], (dy, _, _) => [SumToShape(dy, xShape)]);
    }

    /// <summary>The gradient of a reduction: dy broadcast back over the reduced axes, times <paramref name="scale"/>.</summary>
    private static Tensor SpreadBack(Tensor dy, Shape xShape, int[]? axes, double scale)
    {
        var (kept, _) = Ops.ReductionShapes("sum", xShape, axes, keepDims: true);
        using var dyc = dy.Contiguous();
        using var dyKept = dyc.Reshape(kept.ToArray());
        if (scale == 1.0) return Ops.BroadcastTo(dyKept, xShape);
        using var scaled = Ops.Scale(dyKept, scale);
        return Ops.BroadcastTo(scaled, xShape);
    }
}
