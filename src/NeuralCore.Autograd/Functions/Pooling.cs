using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

public static partial class F
{
    /// <summary>max_pool2d over x [N, H, W, C]; the gradient goes to each window's first maximum.</summary>
    public static Tensor MaxPool2d(Tensor x, Pool2dAttrs attrs) =>
        Tape.Record("max_pool2d", Ops.MaxPool2d(x, attrs), [x], [x], (dy, _, saved) => [Ops.MaxPool2dBackward(saved[0]!, dy, attrs)]);

    /// <summary>avg_pool2d over x [N, H, W, C], padded cells not counted.</summary>
    public static Tensor AvgPool2d(Tensor x, Pool2dAttrs attrs)
    {
        var xShape = x.Shape;
        return Tape.Record("avg_pool2d", Ops.AvgPool2d(x, attrs), [x], [], (dy, _, _) => [Ops.AvgPool2dBackward(dy, xShape, attrs)]);
    }

    /// <summary>Mean over H and W: [N, H, W, C] -> [N, C] (or [N, 1, 1, C] with <paramref name="keepDims"/>).</summary>
    public static Tensor GlobalAvgPool(Tensor x, bool keepDims = false)
    {
        // Ops.GlobalAvgPool validates the layout; its gradient is the mean's.
        var y = Ops.GlobalAvgPool(x, keepDims);
        var xShape = x.Shape;
        double scale = 1.0 / (xShape[1] * xShape[2]);
        return Tape.Record("global_avg_pool", y, [x], [], (dy, _, _) => [SpreadBack(dy, xShape, [1, 2], scale)]);
    }
}
