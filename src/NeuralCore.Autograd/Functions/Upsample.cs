using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

public static partial class F
{
    /// <summary>Nearest or half-pixel bilinear upsampling of x [N, H, W, C] by integer factors.</summary>
    public static Tensor Upsample(Tensor x, UpsampleAttrs attrs) =>
        Tape.Record("upsample", Ops.Upsample(x, attrs), [x], [], (dy, _, _) => [Ops.UpsampleBackward(dy, attrs)]);
}
