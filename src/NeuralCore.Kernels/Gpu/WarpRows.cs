using ILGPU;
using ILGPU.Algorithms;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// One warp per row of a [rows, K] tensor (softmax, its backward, the loss): lane l handles classes l, l + 32, ...,
/// and butterfly shuffles combine the lanes in a fixed pattern, so every lane ends with the same, reproducible value.
/// Launched as groups of <see cref="GroupSize"/> threads, <see cref="RowsPerGroup"/> rows each.
/// </summary>
internal static class WarpRows
{
    public const int GroupSize = 256;
    public const int RowsPerGroup = GroupSize / 32;

    /// <summary>The row this thread's warp handles (may be past the last row: the whole warp then returns together).</summary>
    public static int Row => Grid.IdxX * RowsPerGroup + Warp.WarpIdx;

    public static KernelConfig Config(int rows) => new((rows + RowsPerGroup - 1) / RowsPerGroup, GroupSize);

    public static float Sum(float value)
    {
        for (int mask = 16; mask > 0; mask >>= 1) value += Warp.ShuffleXor(value, mask);
        return value;
    }

    public static float Max(float value)
    {
        for (int mask = 16; mask > 0; mask >>= 1)
        {
            float other = Warp.ShuffleXor(value, mask);
            if (other > value) value = other;
        }
        return value;
    }

    /// <summary>The row's maximum (as the reference's strict scan: the maximum of the row's values).</summary>
    public static float RowMax(ArrayView<float> x, long start, int classes)
    {
        float max = float.NegativeInfinity;
        for (int k = Warp.LaneIdx; k < classes; k += Warp.WarpSize)
            if (x[start + k] > max) max = x[start + k];
        return Max(max);
    }

    /// <summary>sum_k exp(x[k] - max) over the row.</summary>
    public static float RowExpSum(ArrayView<float> x, long start, int classes, float max)
    {
        float sum = 0;
        for (int k = Warp.LaneIdx; k < classes; k += Warp.WarpSize) sum += XMath.Exp(x[start + k] - max);
        return Sum(sum);
    }
}
