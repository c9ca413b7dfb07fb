using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// nms in two launches. Rank: one thread per box counts the boxes ahead of it (higher score, or equal score and lower
/// index) and writes itself to that place of order. Suppress: one group walks the ranks in order; for each still-kept
/// box its threads clear, in parallel, every later box that overlaps it beyond the threshold (a barrier per rank).
/// </summary>
public sealed partial class GpuKernels
{
    private const int NmsGroup = 256;

    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<int>>> NmsRanks =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>>(NmsRankKernel));

    private static readonly KernelSlot<Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<int>, double>> NmsSuppress =
        new(a => a.LoadStreamKernel<ArrayView<float>, ArrayView<int>, ArrayView<int>, double>(NmsSuppressKernel));

    public void Nms(Tensor boxes, Tensor scores, double iouThreshold, Tensor order, Tensor keep)
    {
        var accelerator = Device.Accelerator;
        NmsRanks.On(accelerator)(scores.ElementCount, Device.View<float>(scores), Device.View<int>(order));
        NmsSuppress.On(accelerator)(new KernelConfig(1, NmsGroup), Device.View<float>(boxes), Device.View<int>(order), Device.View<int>(keep), iouThreshold);
    }

    [GpuKernel]
    internal static void NmsRankKernel(Index1D i, ArrayView<float> scores, ArrayView<int> order)
    {
        float s = scores[i];
        int rank = 0;
        for (int j = 0; j < scores.IntLength; j++)
            if (scores[j] > s || (scores[j] == s && j < i)) rank++;
        order[rank] = i;
    }

    [GpuKernel(Grouped = true)]
    internal static void NmsSuppressKernel(ArrayView<float> boxes, ArrayView<int> order, ArrayView<int> keep, double iouThreshold)
    {
        int n = order.IntLength, t = Group.IdxX;
        for (int r = t; r < n; r += Group.DimX) keep[r] = 1;
        Group.Barrier();
        for (int r = 0; r < n; r++)
        {
            if (keep[r] != 0)
            {
                long a = (long)order[r] * 4;
                float ax1 = boxes[a], ay1 = boxes[a + 1], ax2 = boxes[a + 2], ay2 = boxes[a + 3];
                float areaA = (ax2 - ax1) * (ay2 - ay1);
                for (int q = r + 1 + t; q < n; q += Group.DimX)
                {
                    if (keep[q] == 0) continue;
                    long b = (long)order[q] * 4;
                    float w = Math.Max(0f, Math.Min(ax2, boxes[b + 2]) - Math.Max(ax1, boxes[b]));
                    float h = Math.Max(0f, Math.Min(ay2, boxes[b + 3]) - Math.Max(ay1, boxes[b + 1]));
                    float inter = w * h;
                    float areaB = (boxes[b + 2] - boxes[b]) * (boxes[b + 3] - boxes[b + 1]);
                    if (inter / (areaA + areaB - inter) > iouThreshold) keep[q] = 0;
                }
            }
            Group.Barrier();
        }
    }
}
