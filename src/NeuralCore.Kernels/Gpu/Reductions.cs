using System.Numerics;

using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// sum / mean over axes and broadcast_to. A sum is seen as outputs j (the kept axes) each adding up Reduce elements
/// (the reduced axes), after size-1 axes are dropped and neighbouring axes of one kind merged. When the innermost axis
/// is reduced, a thread group adds up (a chunk of) one output's contiguous run and reduces it with warp shuffles
/// ("rows"); when it is kept, each thread adds up a chunk of one output and neighbouring threads read neighbouring
/// outputs ("columns", coalesced). Long reductions are split into chunks whose partial sums [outputs, chunks] are summed
/// again the same way. Chunking depends only on the shapes, and every sum runs in a fixed order: the same bits every run.
/// </summary>
public sealed partial class GpuKernels
{
    public void Sum(Tensor x, Shape keptShape, double scale, Tensor y)
    {
        int outputs = keptShape.ElementCount;
        if (outputs == 0) return;
        int reduce = x.ElementCount / outputs;
        if (reduce == 0)
        {
            DeviceCopies.Fill(Device, y, 0f);
            return;
        }
        var plan = SumPlan.Of(x.Shape, keptShape, x.Describe());
        var launch = plan.Launch(outputs, reduce);
        bool split = launch.Splits > 1;
        // Launches queue in order on the one stream, so the partials' block can go back to the pool once the second pass is queued.
        using var partials = split ? Tensor.Empty([outputs, launch.Splits], DType.Float32, Device.Device) : null;
        launch.Mul = split ? 1f : (float)scale;
        var dst = Device.View<float>(partials ?? y);
        if (plan.InnerReduced)
            GpuReductions.Rows.On(Device.Accelerator)(new KernelConfig(outputs * launch.Splits, launch.GroupSize), Device.View<float>(x), dst, launch);
        else
            GpuReductions.Columns.On(Device.Accelerator)(outputs * launch.Splits, Device.View<float>(x), dst, launch);
        if (split) Sum(partials!, [outputs, 1], scale, y);
    }

    public void BroadcastTo(Tensor x, Tensor y)
    {
        if (y.ElementCount == 0) return;
        GpuReductions.Broadcast.On(Device.Accelerator)(y.ElementCount, Device.View<float>(x), Device.View<float>(y), BroadcastIndex.For(x, y.Shape));
    }
}

/// <summary>One sum launch: where output j and reduced element r are in x, and how the work is cut.</summary>
internal struct SumLaunch
{
    public StridedLayout Kept, Reduced;
    /// <summary>When the kept (reduced) axes merged into one, its stride: a multiply instead of the layout's divisions; else 0.</summary>
    public int KeptStride, ReducedStride;
    public int Outputs, Reduce, Splits, Chunk, GroupSize;
    public float Mul;

    public readonly int KeptAt(int j) => KeptStride != 0 ? j * KeptStride : Kept.PositionOf(j);

    public readonly int ReducedAt(int r) => ReducedStride != 0 ? r * ReducedStride : Reduced.PositionOf(r);
}

/// <summary>A sum's axes after dropping size-1 axes and merging neighbours of one kind (kept or reduced).</summary>
internal readonly record struct SumPlan(StridedLayout Kept, StridedLayout Reduced, int KeptStride, int ReducedStride, bool InnerReduced)
{
    /// <summary>Rows: at least this many elements per group before a row is split (16 per thread of 256).</summary>
    private const int RowChunkMin = 4096;
    /// <summary>Rows: split long rows until about this many groups run (a few per multiprocessor).</summary>
    private const int RowGroupsTarget = 512;
    /// <summary>Columns: at least this many elements per thread before a column is split.</summary>
    private const int ColumnChunkMin = 32;
    /// <summary>Columns: split long columns until about this many threads run.</summary>
    private const int ColumnThreadsTarget = 65536;

    public static SumPlan Of(Shape x, Shape kept, string what)
    {
        var strides = x.ContiguousStrides();
        List<int> keptDims = [], keptStrides = [], reducedDims = [], reducedStrides = [];
        bool? previousReduced = null;
        for (int d = 0; d < x.Rank; d++)
        {
            if (x[d] == 1) continue;
            bool reduced = kept[d] == 1;
            var (dims, strs) = reduced ? (reducedDims, reducedStrides) : (keptDims, keptStrides);
            if (previousReduced == reduced)
            {
                dims[^1] *= x[d];
                strs[^1] = strides[d];
            }
            else
            {
                dims.Add(x[d]);
                strs.Add(strides[d]);
            }
            previousReduced = reduced;
        }
        return new SumPlan(
            StridedLayout.Of(new Shape(keptDims.ToArray()), keptStrides.ToArray(), 0, $"sum of {what} (kept axes)"),
            StridedLayout.Of(new Shape(reducedDims.ToArray()), reducedStrides.ToArray(), 0, $"sum of {what} (reduced axes)"),
            KeptStride: keptDims.Count == 1 ? keptStrides[0] : 0,
            ReducedStride: reducedDims.Count == 1 ? reducedStrides[0] : 0,
            InnerReduced: previousReduced == true);
    }

    public SumLaunch Launch(int outputs, int reduce)
    {
        int splits = InnerReduced
            ? Math.Min(CeilDiv(reduce, RowChunkMin), CeilDiv(RowGroupsTarget, outputs))
            : Math.Min(CeilDiv(reduce, ColumnChunkMin), CeilDiv(ColumnThreadsTarget, outputs));
        splits = Math.Max(splits, 1);
        int chunk = CeilDiv(reduce, splits);
        return new SumLaunch
        {
            Kept = Kept, Reduced = Reduced, KeptStride = KeptStride, ReducedStride = ReducedStride,
            Outputs = outputs, Reduce = reduce, Splits = CeilDiv(reduce, chunk), Chunk = chunk,
            GroupSize = Math.Clamp((int)BitOperations.RoundUpToPowerOf2((uint)chunk), GpuReductions.WarpSize, GpuReductions.MaxGroupSize),
        };
    }

    private static int CeilDiv(int a, int b) => (a + b - 1) / b;
}

internal static class GpuReductions
{
    public const int WarpSize = 32, MaxGroupSize = 256;
    private const int MaxWarps = MaxGroupSize / WarpSize;

    public static readonly KernelSlot<Action<KernelConfig, ArrayView<float>, ArrayView<float>, SumLaunch>> Rows =
        new(a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, SumLaunch>(RowsKernel));

    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, SumLaunch>> Columns =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, SumLaunch>(ColumnsKernel));

    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, BroadcastIndex>> Broadcast =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, BroadcastIndex>(BroadcastKernel));

    /// <summary>Group g = (output j, chunk s) adds up chunk s of output j's reduced run; writes dst[g] = Mul * sum.</summary>
    [GpuKernel(Grouped = true)]
    internal static void RowsKernel(ArrayView<float> x, ArrayView<float> dst, SumLaunch p)
    {
        int g = Grid.IdxX;
        int j = g / p.Splits, s = g - j * p.Splits;
        int at = p.KeptAt(j);
        int end = Math.Min((s + 1) * p.Chunk, p.Reduce);
        float acc = 0f;
        for (int r = s * p.Chunk + Group.IdxX; r < end; r += Group.DimX) acc += x[at + p.ReducedAt(r)];
        float total = GroupSum(acc);
        if (Group.IdxX == 0) dst[g] = total * p.Mul;
    }

    /// <summary>Thread t = (chunk s, output j), j fastest so a warp reads neighbouring outputs; writes dst[j * Splits + s].</summary>
    [GpuKernel]
    internal static void ColumnsKernel(Index1D t, ArrayView<float> x, ArrayView<float> dst, SumLaunch p)
    {
        int s = t / p.Outputs, j = t - s * p.Outputs;
        int at = p.KeptAt(j);
        int r = s * p.Chunk, end = Math.Min(r + p.Chunk, p.Reduce);
        float acc = 0f;
        // Four loads in flight before the adds (ILGPU does not unroll); the adds keep the sequential order.
        for (; r + 4 <= end; r += 4)
        {
            float v0 = x[at + p.ReducedAt(r)], v1 = x[at + p.ReducedAt(r + 1)], v2 = x[at + p.ReducedAt(r + 2)], v3 = x[at + p.ReducedAt(r + 3)];
            acc += v0;
            acc += v1;
            acc += v2;
            acc += v3;
        }
        for (; r < end; r++) acc += x[at + p.ReducedAt(r)];
        dst[j * p.Splits + s] = acc * p.Mul;
    }

    [GpuKernel]
    internal static void BroadcastKernel(Index1D i, ArrayView<float> x, ArrayView<float> y, BroadcastIndex source) => y[i] = x[source.Of(i)];

    /// <summary>The group's sum in thread 0: shuffle-down tree in each warp, then warp 0's thread adds the warps' sums in order.</summary>
    private static float GroupSum(float value)
    {
        for (int delta = Warp.WarpSize / 2; delta > 0; delta >>= 1) value += Warp.ShuffleDown(value, delta);
        var warpSums = SharedMemory.Allocate<float>(MaxWarps);
        if (Warp.LaneIdx == 0) warpSums[Warp.WarpIdx] = value;
        Group.Barrier();
        float total = 0f;
        if (Group.IdxX == 0)
            for (int w = 0; w < Group.DimX / Warp.WarpSize; w++) total += warpSums[w];
        return total;
    }
}
