using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// max_pool2d and max_pool2d_backward. A window's winner is its first maximum in row-major window order (a NaN wins,
/// as in the reference). Backward first records each window's winner, then gathers per input cell
/// (<see cref="PoolWindows"/>), so it needs no float atomics and its sums have the reference's order.
/// </summary>
public sealed partial class GpuKernels
{
    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, PoolWindows>> MaxPoolForward =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolWindows>(MaxPool2dKernel));

    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<int>, PoolWindows>> MaxPoolWinners =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, PoolWindows>(MaxPool2dWinnersKernel));

    private static readonly KernelSlot<Action<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, PoolWindows>> MaxPoolGather =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, PoolWindows>(MaxPool2dBackwardKernel));

    public void MaxPool2d(Tensor x, Pool2dAttrs attrs, Tensor y)
    {
        if (y.ElementCount == 0) return;
        MaxPoolForward.On(Device.Accelerator)(y.ElementCount, Device.View<float>(x), Device.View<float>(y), PoolWindows.Of(x.Shape, y.Shape, attrs));
    }

    public void MaxPool2dBackward(Tensor x, Tensor dy, Pool2dAttrs attrs, Tensor dx)
    {
        if (dx.ElementCount == 0) return;
        var windows = PoolWindows.Of(x.Shape, dy.Shape, attrs);
        // At least one element, so that an empty dy (no window) still has a buffer to view.
        using var winners = Tensor.Empty([Math.Max(dy.ElementCount, 1)], DType.Int32, Device.Device);
        if (dy.ElementCount > 0)
            MaxPoolWinners.On(Device.Accelerator)(dy.ElementCount, Device.View<float>(x), Device.View<int>(winners), windows);
        MaxPoolGather.On(Device.Accelerator)(dx.ElementCount, Device.View<int>(winners), Device.View<float>(dy), Device.View<float>(dx), windows);
    }

    [GpuKernel]
    internal static void MaxPool2dKernel(Index1D i, ArrayView<float> x, ArrayView<float> y, PoolWindows p) => y[i] = x[Winner(x, p, i)];

    /// <summary>winners[i] = flat index into x of output i's winner.</summary>
    [GpuKernel]
    internal static void MaxPool2dWinnersKernel(Index1D i, ArrayView<float> x, ArrayView<int> winners, PoolWindows p) => winners[i] = Winner(x, p, i);

    /// <summary>dx[j] = the sum of dy over the windows containing cell j that it won, in increasing window order.</summary>
    [GpuKernel]
    internal static void MaxPool2dBackwardKernel(Index1D j, ArrayView<int> winners, ArrayView<float> dy, ArrayView<float> dx, PoolWindows p)
    {
        var (n, c, oh0, oh1, ow0, ow1) = p.WindowsContaining(j);
        float sum = 0;
        for (int oh = oh0; oh <= oh1; oh++)
            for (int ow = ow0; ow <= ow1; ow++)
            {
                int o = p.OutputIndex(n, oh, ow, c);
                if (winners[o] == j) sum += dy[o];
            }
        dx[j] = sum;
    }

    /// <summary>Flat index into x of the first maximum of output i's window (padded cells never win; a NaN does).</summary>
    private static int Winner(ArrayView<float> x, PoolWindows p, int i)
    {
        var (n, c, h0, h1, w0, w1) = p.WindowOf(i);
        int best = p.InputIndex(n, h0, w0, c);
        float max = x[best];
        for (int ih = h0; ih < h1; ih++)
            for (int iw = w0; iw < w1; iw++)
            {
                int at = p.InputIndex(n, ih, iw, c);
                float v = x[at];
                if (v > max || (XMath.IsNaN(v) && !XMath.IsNaN(max)))
                {
                    best = at;
                    max = v;
                }
            }
        return best;
    }
}
