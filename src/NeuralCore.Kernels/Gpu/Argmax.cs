using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>argmax over the last axis: one thread per row (the class axis is short: 3 or 59 in the seed models).</summary>
public sealed partial class GpuKernels
{
    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<int>, int>> ArgmaxRows =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, int>(ArgmaxKernel));

    public void Argmax(Tensor x, Tensor indices)
    {
        if (indices.ElementCount == 0) return;
        ArgmaxRows.On(Device.Accelerator)(indices.ElementCount, Device.View<float>(x), Device.View<int>(indices), x.Shape[-1]);
    }

    /// <summary>The first k with x[row, k] maximal: a strict comparison keeps the first of ties, and NaN never wins.</summary>
    [GpuKernel]
    internal static void ArgmaxKernel(Index1D row, ArrayView<float> x, ArrayView<int> indices, int classes)
    {
        long start = (long)row.X * classes;
        int best = 0;
        for (int k = 1; k < classes; k++)
            if (x[start + k] > x[start + best]) best = k;
        indices[row] = best;
    }
}
