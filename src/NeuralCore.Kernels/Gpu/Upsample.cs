using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// upsample (nearest, half-pixel bilinear) over NHWC and its backward. Forward: one thread per output element, C fastest,
/// blending the four taps with the CPU kernel's float weights. Backward gathers instead of scattering: one thread per
/// dx element adds up, in a fixed order, every dy cell whose forward read that input cell (no atomics, same bits every run).
/// </summary>
public sealed partial class GpuKernels
{
    public void Upsample(Tensor x, UpsampleAttrs attrs, Tensor y)
    {
        if (y.ElementCount == 0) return;
        GpuUpsample.Forward.On(Device.Accelerator)(y.ElementCount, Device.View<float>(x), Device.View<float>(y), UpsampleGeometry.Of(x.Shape, attrs));
    }

    public void UpsampleBackward(Tensor dy, UpsampleAttrs attrs, Tensor dx)
    {
        if (dx.ElementCount == 0) return;
        GpuUpsample.Backward.On(Device.Accelerator)(dx.ElementCount, Device.View<float>(dy), Device.View<float>(dx), UpsampleGeometry.Of(dx.Shape, attrs));
    }
}

/// <summary>The input [N, H, W, C], the scales and the mode (1 for bilinear); the output is [N, H·ScaleH, W·ScaleW, C].</summary>
internal struct UpsampleGeometry
{
    public int H, W, C, ScaleH, ScaleW, Bilinear;

    public readonly int OH => H * ScaleH;

    public readonly int OW => W * ScaleW;

    public static UpsampleGeometry Of(Shape x, UpsampleAttrs a) => new()
    {
        H = x[1], W = x[2], C = x[3], ScaleH = a.ScaleH, ScaleW = a.ScaleW, Bilinear = a.Mode == UpsampleMode.Bilinear ? 1 : 0,
    };
}

internal static class GpuUpsample
{
    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, UpsampleGeometry>> Forward =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, UpsampleGeometry>(ForwardKernel));

    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, UpsampleGeometry>> Backward =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, UpsampleGeometry>(BackwardKernel));

    [GpuKernel]
    internal static void ForwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> y, UpsampleGeometry g)
    {
        var (n, oh, ow, c) = NhwcPosition.Of(i, g.OH, g.OW, g.C);
        if (g.Bilinear == 0)
        {
            y[i] = x[((n * g.H + oh / g.ScaleH) * g.W + ow / g.ScaleW) * g.C + c];
            return;
        }
        int h0 = First(oh, g.ScaleH, g.H), w0 = First(ow, g.ScaleW, g.W);
        int h1 = Math.Min(h0 + 1, g.H - 1), w1 = Math.Min(w0 + 1, g.W - 1);
        float th = Weight(oh, g.ScaleH, h0), tw = Weight(ow, g.ScaleW, w0);
        int top = n * g.H;
        y[i] = x[((top + h0) * g.W + w0) * g.C + c] * ((1 - th) * (1 - tw)) + x[((top + h0) * g.W + w1) * g.C + c] * ((1 - th) * tw)
             + x[((top + h1) * g.W + w0) * g.C + c] * (th * (1 - tw)) + x[((top + h1) * g.W + w1) * g.C + c] * (th * tw);
    }

    /// <summary>
    /// dx[i] = sum over the dy cells (oh, ow) that read input cell (ih, iw) of dy · weight_h(oh) · weight_w(ow), rows then
    /// columns in increasing order. Nearest: the scale x scale block above the cell. Bilinear: an output reads input
    /// rows floor(src) and floor(src) + 1 with src about o / scale, so only outputs in [(ih - 1)·scale, (ih + 2)·scale) can.
    /// </summary>
    [GpuKernel]
    internal static void BackwardKernel(Index1D i, ArrayView<float> dy, ArrayView<float> dx, UpsampleGeometry g)
    {
        var (n, ih, iw, c) = NhwcPosition.Of(i, g.H, g.W, g.C);
        int reachH = g.Bilinear != 0 ? g.ScaleH : 0, reachW = g.Bilinear != 0 ? g.ScaleW : 0;
        int ohStart = Math.Max(ih * g.ScaleH - reachH, 0), ohEnd = Math.Min((ih + 1) * g.ScaleH + reachH, g.OH);
        int owStart = Math.Max(iw * g.ScaleW - reachW, 0), owEnd = Math.Min((iw + 1) * g.ScaleW + reachW, g.OW);
        float acc = 0f;
        for (int oh = ohStart; oh < ohEnd; oh++)
        {
            float weightH = AxisWeight(oh, ih, g.ScaleH, g.H, g.Bilinear);
            if (weightH == 0f) continue;
            int dyRow = (n * g.OH + oh) * g.OW;
            for (int ow = owStart; ow < owEnd; ow++)
            {
                float weightW = AxisWeight(ow, iw, g.ScaleW, g.W, g.Bilinear);
                if (weightW != 0f) acc += dy[(dyRow + ow) * g.C + c] * (weightH * weightW);
            }
        }
        dx[i] = acc;
    }

    /// <summary>The weight output index o gives input index <paramref name="at"/> along one axis (both taps may be the same clamped cell).</summary>
    private static float AxisWeight(int o, int at, int scale, int size, int bilinear)
    {
        if (bilinear == 0) return o / scale == at ? 1f : 0f;
        int i0 = First(o, scale, size), i1 = Math.Min(i0 + 1, size - 1);
        float t = Weight(o, scale, i0);
        return (i0 == at ? 1 - t : 0f) + (i1 == at ? t : 0f);
    }

    /// <summary>Half-pixel source position (o + 0.5) / scale - 0.5, clamped at 0 (ReferenceUpsample.Source).</summary>
    private static float Source(int o, int scale) => Math.Max((o + 0.5f) / scale - 0.5f, 0f);

    /// <summary>The first input index an output index reads: floor of its source position, clamped to the axis.</summary>
    private static int First(int o, int scale, int size) => Math.Min((int)Source(o, scale), size - 1);

    /// <summary>The second tap's weight: the source position's distance past the first input index.</summary>
    private static float Weight(int o, int scale, int first) => Source(o, scale) - first;
}
