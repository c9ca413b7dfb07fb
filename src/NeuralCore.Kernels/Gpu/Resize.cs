using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>resize (bilinear, half-pixel centres) over NHWC: one thread per output element, C fastest.</summary>
public sealed partial class GpuKernels
{
    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, ResizeGeometry>> ResizeElements =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ResizeGeometry>(ResizeKernel));

    public void Resize(Tensor x, Tensor y) =>
        ResizeElements.On(Device.Accelerator)(y.ElementCount, Device.View<float>(x), Device.View<float>(y), new ResizeGeometry
        {
            H = x.Shape[1], W = x.Shape[2], C = x.Shape[3], OH = y.Shape[1], OW = y.Shape[2],
        });

    [GpuKernel]
    internal static void ResizeKernel(Index1D i, ArrayView<float> x, ArrayView<float> y, ResizeGeometry g)
    {
        var (n, oh, ow, c) = NhwcPosition.Of(i, g.OH, g.OW, g.C);
        ResizeTaps(oh, g.H, g.OH, out int h0, out int h1, out float th);
        ResizeTaps(ow, g.W, g.OW, out int w0, out int w1, out float tw);
        long row0 = ((long)n * g.H + h0) * g.W, row1 = ((long)n * g.H + h1) * g.W;
        float top = (1 - tw) * x[(row0 + w0) * g.C + c] + tw * x[(row0 + w1) * g.C + c];
        float bottom = (1 - tw) * x[(row1 + w0) * g.C + c] + tw * x[(row1 + w1) * g.C + c];
        y[i] = (1 - th) * top + th * bottom;
    }

    /// <summary>ReferenceResize.Source in float: the taps of output index o and the second one's weight.</summary>
    private static void ResizeTaps(int o, int size, int outSize, out int i0, out int i1, out float t)
    {
        float scale = (float)size / outSize;
        float src = Math.Max(scale * (o + 0.5f) - 0.5f, 0f);
        i0 = (int)src;
        i1 = i0 < size - 1 ? i0 + 1 : i0;
        t = src - i0;
    }
}

/// <summary>Input [N, H, W, C] and output height and width.</summary>
internal struct ResizeGeometry
{
    public int H, W, C, OH, OW;
}
