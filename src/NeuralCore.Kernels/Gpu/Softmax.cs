using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>softmax / log_softmax over the last axis and their backward: one warp per row (<see cref="WarpRows"/>).</summary>
public sealed partial class GpuKernels
{
    private static readonly KernelSlot<Action<KernelConfig, ArrayView<float>, ArrayView<float>, RowShape>> SoftmaxRows =
        new(a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, RowShape>(SoftmaxKernel));

    private static readonly KernelSlot<Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, RowShape>> SoftmaxBackwardRows =
        new(a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, RowShape>(SoftmaxBackwardKernel));

    public void Softmax(Tensor x, bool log, Tensor y)
    {
        var shape = RowShape.Of(x, log);
        if (shape.Rows == 0) return;
        SoftmaxRows.On(Device.Accelerator)(WarpRows.Config(shape.Rows), Device.View<float>(x), Device.View<float>(y), shape);
    }

    public void SoftmaxBackward(Tensor y, Tensor dy, bool log, Tensor dx)
    {
        var shape = RowShape.Of(y, log);
        if (shape.Rows == 0) return;
        SoftmaxBackwardRows.On(Device.Accelerator)(WarpRows.Config(shape.Rows), Device.View<float>(y), Device.View<float>(dy), Device.View<float>(dx), shape);
    }

    /// <summary>y = exp(x - max) / sum, or x - max - log(sum) for log_softmax (the reference's formulas).</summary>
    [GpuKernel(Grouped = true)]
    internal static void SoftmaxKernel(ArrayView<float> x, ArrayView<float> y, RowShape shape)
    {
        int row = WarpRows.Row;
        if (row >= shape.Rows) return;
        long start = (long)row * shape.Classes;
        float max = WarpRows.RowMax(x, start, shape.Classes);
        float sum = WarpRows.RowExpSum(x, start, shape.Classes, max);
        float logSum = XMath.Log(sum);
        for (int k = Warp.LaneIdx; k < shape.Classes; k += Warp.WarpSize)
        {
            float v = x[start + k];
            y[start + k] = shape.Log != 0 ? v - max - logSum : XMath.Exp(v - max) / sum;
        }
    }

    /// <summary>softmax: dx = y * (dy - sum(dy * y)); log_softmax: dx = dy - exp(y) * sum(dy).</summary>
    [GpuKernel(Grouped = true)]
    internal static void SoftmaxBackwardKernel(ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, RowShape shape)
    {
        int row = WarpRows.Row;
        if (row >= shape.Rows) return;
        long start = (long)row * shape.Classes;
        float dot = 0;
        for (int k = Warp.LaneIdx; k < shape.Classes; k += Warp.WarpSize)
            dot += shape.Log != 0 ? dy[start + k] : dy[start + k] * y[start + k];
        dot = WarpRows.Sum(dot);
        for (int k = Warp.LaneIdx; k < shape.Classes; k += Warp.WarpSize)
        {
            long i = start + k;
            dx[i] = shape.Log != 0 ? dy[i] - XMath.Exp(y[i]) * dot : y[i] * (dy[i] - dot);
        }
    }
}

/// <summary>Rows of K values over the last axis; Log selects log_softmax.</summary>
internal struct RowShape
{
    public int Rows, Classes, Log;

    public static RowShape Of(Tensor t, bool log)
    {
        int classes = t.Shape[-1];
        return new RowShape { Rows = classes == 0 ? 0 : t.ElementCount / classes, Classes = classes, Log = log ? 1 : 0 };
    }
}
