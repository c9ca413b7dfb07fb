using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

public static partial class F
{
    /// <summary>Zero padding of H and W of x [N, H, W, C]; the gradient is the crop of dy's interior.</summary>
    public static Tensor ZeroPad(Tensor x, ZeroPadAttrs attrs) =>
        Tape.Record("zero_pad", Ops.ZeroPad(x, attrs), [x], [], (dy, _, _) => [Ops.ZeroPadBackward(dy, attrs)]);
}
