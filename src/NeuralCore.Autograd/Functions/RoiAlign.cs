using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

public static partial class F
{
    /// <summary>
    /// roi_align of features x [N, H, W, C] over rois [K, 5] -> [K, PooledH, PooledW, C]. Gradients flow to x only:
    /// the RoIs are constants, as in torchvision (its boxes are detached proposals).
    /// </summary>
    public static Tensor RoiAlign(Tensor x, Tensor rois, RoiAlignAttrs attrs)
    {
        var xShape = x.Shape;
        return Tape.Record("roi_align", Ops.RoiAlign(x, rois, attrs), [x], [rois],
            (dy, _, saved) => [Ops.RoiAlignBackward(dy, saved[0]!, xShape, attrs)]);
    }
}
