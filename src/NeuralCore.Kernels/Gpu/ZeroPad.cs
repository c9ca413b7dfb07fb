using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>zero_pad over NHWC and its backward (the crop of dy's interior): one thread per written element, C fastest.</summary>
public sealed partial class GpuKernels
{
    public void ZeroPad(Tensor x, ZeroPadAttrs attrs, Tensor y)
    {
        if (y.ElementCount == 0) return;
        GpuZeroPad.Pad.On(Device.Accelerator)(y.ElementCount, Device.View<float>(x), Device.View<float>(y), PadGeometry.Of(x.Shape, y.Shape, attrs));
    }

    public void ZeroPadBackward(Tensor dy, ZeroPadAttrs attrs, Tensor dx)
    {
        if (dx.ElementCount == 0) return;
        GpuZeroPad.Crop.On(Device.Accelerator)(dx.ElementCount, Device.View<float>(dy), Device.View<float>(dx), PadGeometry.Of(dx.Shape, dy.Shape, attrs));
    }
}

/// <summary>The unpadded [N, H, W, C] and padded [N, OH, OW, C] sizes and where the unpadded image starts.</summary>
internal struct PadGeometry
{
    public int H, W, C, OH, OW, Top, Left;

    public static PadGeometry Of(Shape inner, Shape padded, ZeroPadAttrs a) => new()
    {
        H = inner[1], W = inner[2], C = inner[3], OH = padded[1], OW = padded[2], Top = a.Top, Left = a.Left,
    };
}

internal static class GpuZeroPad
{
    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, PadGeometry>> Pad =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PadGeometry>(PadKernel));

    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, PadGeometry>> Crop =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PadGeometry>(CropKernel));

    /// <summary>y[i] (padded) is x's cell when it falls inside the image, else 0.</summary>
    [GpuKernel]
    internal static void PadKernel(Index1D i, ArrayView<float> x, ArrayView<float> y, PadGeometry g)
    {
        var (n, oh, ow, c) = NhwcPosition.Of(i, g.OH, g.OW, g.C);
        int ih = oh - g.Top, iw = ow - g.Left;
        y[i] = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W ? x[((n * g.H + ih) * g.W + iw) * g.C + c] : 0f;
    }

    /// <summary>dx[i] (unpadded) copies its cell of dy: each image row is one contiguous run of W·C elements in both.</summary>
    [GpuKernel]
    internal static void CropKernel(Index1D i, ArrayView<float> dy, ArrayView<float> dx, PadGeometry g)
    {
        int run = g.W * g.C;
        int row = i / run, k = i - row * run;
        int h = row % g.H, n = row / g.H;
        dx[i] = dy[((n * g.OH + h + g.Top) * g.OW + g.Left) * g.C + k];
    }
}
