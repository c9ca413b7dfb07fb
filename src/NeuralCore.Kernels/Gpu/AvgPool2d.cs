using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// avg_pool2d (mean over each window's real cells: padding is not counted) and avg_pool2d_backward, which gathers
/// per input cell dy / count over the windows containing it (<see cref="PoolWindows"/>), in the reference's order.
/// </summary>
public sealed partial class GpuKernels
{
    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, PoolWindows>> AvgPoolForward =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolWindows>(AvgPool2dKernel));

    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, PoolWindows>> AvgPoolGather =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolWindows>(AvgPool2dBackwardKernel));

    public void AvgPool2d(Tensor x, Pool2dAttrs attrs, Tensor y)
    {
        if (y.ElementCount == 0) return;
        AvgPoolForward.On(Device.Accelerator)(y.ElementCount, Device.View<float>(x), Device.View<float>(y), PoolWindows.Of(x.Shape, y.Shape, attrs));
    }

    public void AvgPool2dBackward(Tensor dy, Pool2dAttrs attrs, Tensor dx)
    {
        if (dx.ElementCount == 0) return;
        AvgPoolGather.On(Device.Accelerator)(dx.ElementCount, Device.View<float>(dy), Device.View<float>(dx), PoolWindows.Of(dx.Shape, dy.Shape, attrs));
    }

    [GpuKernel]
    internal static void AvgPool2dKernel(Index1D i, ArrayView<float> x, ArrayView<float> y, PoolWindows p)
    {
        var (n, c, h0, h1, w0, w1) = p.WindowOf(i);
        float sum = 0;
        for (int ih = h0; ih < h1; ih++)
            for (int iw = w0; iw < w1; iw++)
                sum += x[p.InputIndex(n, ih, iw, c)];
        y[i] = sum / ((h1 - h0) * (w1 - w0));
    }

    /// <summary>dx[j] = sum over the windows containing cell j of dy / (the window's real cells), in increasing window order.</summary>
    [GpuKernel]
    internal static void AvgPool2dBackwardKernel(Index1D j, ArrayView<float> dy, ArrayView<float> dx, PoolWindows p)
    {
        var (n, c, oh0, oh1, ow0, ow1) = p.WindowsContaining(j);
        float sum = 0;
        for (int oh = oh0; oh <= oh1; oh++)
        {
            var (h0, h1) = p.Rows(oh);
            for (int ow = ow0; ow <= ow1; ow++)
            {
                var (w0, w1) = p.Columns(ow);
                sum += dy[p.OutputIndex(n, oh, ow, c)] / ((h1 - h0) * (w1 - w0));
            }
        }
        dx[j] = sum;
    }
}
