using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

public static partial class F
{
    /// <summary>
    /// y [N, OH, OW, Cout] = conv_transpose2d(x [N, H, W, Cin], w [KH, KW, Cout, Cin]); no bias.
    /// Backward: dx is the plain convolution of dy with w, dw correlates dy with x.
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor x, Tensor w, ConvTranspose2dAttrs attrs)
    {
        var (xShape, wShape) = (x.Shape, w.Shape);
        // dx needs only w and dw only x: a frozen kernel's input is not kept.
        return Tape.Record("conv_transpose2d", Ops.ConvTranspose2d(x, w, attrs), [x, w], [w.RequiresGrad ? x : null, x.RequiresGrad ? w : null],
            (dy, needs, saved) =>
            [
                needs[0] ? Ops.ConvTranspose2dBackwardInput(dy, saved[1]!, xShape, attrs) : null,
                needs[1] ? Ops.ConvTranspose2dBackwardWeight(saved[0]!, dy, wShape, attrs) : null,
            ]);
    }
}
