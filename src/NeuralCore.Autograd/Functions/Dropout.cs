using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

public static partial class F
{
    /// <summary>
    /// Inverted dropout. The mask is a function of (seed, offset, element index), so the gradient is dropout of dy
    /// with the same attributes: the same elements dropped, the same 1 / (1 - p) scale, no stored mask.
    /// </summary>
    public static Tensor Dropout(Tensor x, DropoutAttrs attrs) =>
        Tape.Record("dropout", Ops.Dropout(x, attrs), [x], [], (dy, _, _) => [Ops.Dropout(dy, attrs)]);
}
