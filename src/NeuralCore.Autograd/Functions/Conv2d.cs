using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

public static partial class F
{
    /// <summary>
    /// y [N, OH, OW, Cout] = conv2d(x [N, H, W, Cin], w [KH, KW, Cin/groups, Cout]); no bias (add it with <see cref="Add"/>).
    /// Backward: dx is the transposed convolution of dy with w, dw correlates x with dy.
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor w, Conv2dAttrs attrs)
    {
        var (xShape, wShape) = (x.Shape, w.Shape);
        // dx needs only w and dw only x: a frozen kernel's input is not kept.
        return Tape.Record("conv2d", Ops.Conv2d(x, w, attrs), [x, w], [w.RequiresGrad ? x : null, x.RequiresGrad ? w : null],
            (dy, needs, saved) =>
            [
                needs[0] ? Ops.Conv2dBackwardInput(dy, saved[1]!, xShape, attrs) : null,
                needs[1] ? Ops.Conv2dBackwardWeight(saved[0]!, dy, wShape, attrs) : null,
            ]);
    }
}
