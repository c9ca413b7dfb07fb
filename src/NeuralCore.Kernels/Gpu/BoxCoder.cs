using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>box_decode and box_encode: one thread per box, the reference's formulas in float.</summary>
public sealed partial class GpuKernels
{
    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BoxCoderParams>> DecodeBoxes =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BoxCoderParams>(BoxDecodeKernel));

    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BoxCoderParams>> EncodeBoxes =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BoxCoderParams>(BoxEncodeKernel));

    public void BoxDecode(Tensor deltas, Tensor boxes, BoxCoderAttrs attrs, Tensor y) =>
        DecodeBoxes.On(Device.Accelerator)(y.ElementCount / 4, Device.View<float>(deltas), Device.View<float>(boxes), Device.View<float>(y),
            BoxCoderParams.Of(attrs, deltas.Shape[1] / 4));

    public void BoxEncode(Tensor targets, Tensor proposals, BoxCoderAttrs attrs, Tensor y) =>
        EncodeBoxes.On(Device.Accelerator)(y.ElementCount / 4, Device.View<float>(targets), Device.View<float>(proposals), Device.View<float>(y),
            BoxCoderParams.Of(attrs, 1));

    /// <summary>Box j of the decoded output: deltas row j / PerRow against reference box j / PerRow.</summary>
    [GpuKernel]
    internal static void BoxDecodeKernel(Index1D j, ArrayView<float> deltas, ArrayView<float> boxes, ArrayView<float> y, BoxCoderParams p)
    {
        long b = (long)(j.X / p.PerRow) * 4, d = (long)j.X * 4;
        float width = boxes[b + 2] - boxes[b], height = boxes[b + 3] - boxes[b + 1];
        float cx = boxes[b] + 0.5f * width, cy = boxes[b + 1] + 0.5f * height;
        float dw = Math.Min(deltas[d + 2] / p.Ww, p.Clip), dh = Math.Min(deltas[d + 3] / p.Wh, p.Clip);
        float px = deltas[d] / p.Wx * width + cx, py = deltas[d + 1] / p.Wy * height + cy;
        float halfW = 0.5f * (XMath.Exp(dw) * width), halfH = 0.5f * (XMath.Exp(dh) * height);
        y[d] = px - halfW;
        y[d + 1] = py - halfH;
        y[d + 2] = px + halfW;
        y[d + 3] = py + halfH;
    }

    [GpuKernel]
    internal static void BoxEncodeKernel(Index1D j, ArrayView<float> targets, ArrayView<float> proposals, ArrayView<float> y, BoxCoderParams p)
    {
        long b = (long)j.X * 4;
        float exW = proposals[b + 2] - proposals[b], exH = proposals[b + 3] - proposals[b + 1];
        float exX = proposals[b] + 0.5f * exW, exY = proposals[b + 1] + 0.5f * exH;
        float gtW = targets[b + 2] - targets[b], gtH = targets[b + 3] - targets[b + 1];
        float gtX = targets[b] + 0.5f * gtW, gtY = targets[b + 1] + 0.5f * gtH;
        y[b] = p.Wx * (gtX - exX) / exW;
        y[b + 1] = p.Wy * (gtY - exY) / exH;
        y[b + 2] = p.Ww * XMath.Log(gtW / exW);
        y[b + 3] = p.Wh * XMath.Log(gtH / exH);
    }
}

/// <summary>The coder's weights and clip in float, and the boxes per row of deltas.</summary>
internal struct BoxCoderParams
{
    public float Wx, Wy, Ww, Wh, Clip;
    public int PerRow;

    public static BoxCoderParams Of(BoxCoderAttrs a, int perRow) => new()
    {
        Wx = (float)a.Wx, Wy = (float)a.Wy, Ww = (float)a.Ww, Wh = (float)a.Wh, Clip = (float)a.Clip, PerRow = perRow,
    };
}
