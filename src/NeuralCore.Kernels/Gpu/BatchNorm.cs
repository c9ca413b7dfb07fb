using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// batch_norm and batch_norm_backward over x viewed as [rows, C] (rows = N * H * W). The per-channel statistics are
/// a two-stage reduction with a fixed order, so the bits never change from run to run: stage one gives each block
/// of <see cref="BatchNormShape.BlockRows"/> rows and 32 channels to a group (<see cref="ChannelColumns"/>), which
/// writes the block's partial result; stage two merges the blocks' partials per channel with the same layout (warps
/// over blocks, then warp 0 over the warps, in order). The forward's variance comes from Welford/Chan merges
/// (count, mean, M2), never from a sum of squares. A last elementwise pass writes y or dx.
/// </summary>
public sealed partial class GpuKernels
{
    private static readonly KernelSlot<Action<KernelConfig, ArrayView<float>, ArrayView<float>, BatchNormShape>> BatchNormBlockMoments =
        new(a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, BatchNormShape>(BatchNormBlockMomentsKernel));

    private static readonly KernelSlot<Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormShape>> BatchNormBatchStats =
        new(a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormShape>(BatchNormBatchStatsKernel));

    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>> BatchNormRunningStats =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(BatchNormRunningStatsKernel));

    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>> BatchNormNormalize =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(BatchNormNormalizeKernel));

    private static readonly KernelSlot<Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormShape>> BatchNormBlockGradientSums =
        new(a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormShape>(BatchNormBlockGradientSumsKernel));

    private static readonly KernelSlot<Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormShape>> BatchNormGradientSums =
        new(a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormShape>(BatchNormGradientSumsKernel));

    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormShape>> BatchNormDInput =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormShape>(BatchNormDInputKernel));

    public void BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, BatchNormAttrs attrs, Tensor y, Tensor saveMean, Tensor saveInvStd)
    {
        var shape = BatchNormShape.Of(x, attrs.Momentum, attrs.Epsilon);
        if (shape.Channels == 0) return;
        var accelerator = Device.Accelerator;
        if (attrs.Training)
        {
            using var partials = Tensor.Empty([2, shape.Blocks, shape.Channels], DType.Float32, Device.Device);
            BatchNormBlockMoments.On(accelerator)(ChannelColumns.Config(shape.Blocks, shape.Channels), Device.View<float>(x), Device.View<float>(partials), shape);
            BatchNormBatchStats.On(accelerator)(shape.ChannelTiles, Device.View<float>(partials), Device.View<float>(runningMean),
                Device.View<float>(runningVar), Device.View<float>(saveMean), Device.View<float>(saveInvStd), shape);
        }
        else
        {
            BatchNormRunningStats.On(accelerator)(shape.Channels, Device.View<float>(runningMean), Device.View<float>(runningVar),
                Device.View<float>(saveMean), Device.View<float>(saveInvStd), shape.Epsilon);
        }
        if (x.ElementCount == 0) return;
        BatchNormNormalize.On(accelerator)(x.ElementCount, Device.View<float>(x), Device.View<float>(gamma), Device.View<float>(beta),
            Device.View<float>(saveMean), Device.View<float>(saveInvStd), Device.View<float>(y), shape.Channels);
    }

    public void BatchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor saveMean, Tensor saveInvStd, bool training, Tensor dx, Tensor dGamma, Tensor dBeta)
    {
        var shape = BatchNormShape.Of(x, 0, 0) with { Training = training ? 1 : 0 };
        if (shape.Channels == 0) return;
        var accelerator = Device.Accelerator;
        using var partials = Tensor.Empty([2, shape.Blocks, shape.Channels], DType.Float32, Device.Device);
        BatchNormBlockGradientSums.On(accelerator)(ChannelColumns.Config(shape.Blocks, shape.Channels), Device.View<float>(dy), Device.View<float>(x),
            Device.View<float>(saveMean), Device.View<float>(partials), shape);
        BatchNormGradientSums.On(accelerator)(shape.ChannelTiles, Device.View<float>(partials), Device.View<float>(saveInvStd),
            Device.View<float>(dGamma), Device.View<float>(dBeta), shape);
        if (x.ElementCount == 0) return;
        BatchNormDInput.On(accelerator)(x.ElementCount, Device.View<float>(dy), Device.View<float>(x), Device.View<float>(gamma),
            Device.View<float>(saveMean), Device.View<float>(saveInvStd), Device.View<float>(dGamma), Device.View<float>(dBeta), Device.View<float>(dx), shape);
    }

    /// <summary>Stage one of the forward statistics: (mean, M2) of each block of rows per channel, into partials [2, blocks, C].</summary>
    [GpuKernel(Grouped = true)]
    internal static void BatchNormBlockMomentsKernel(ArrayView<float> x, ArrayView<float> partials, BatchNormShape s)
    {
        var shared = SharedMemory.Allocate<float>(3 * ChannelColumns.GroupSize);
        int c = ChannelColumns.Channel(s.Tiles), block = ChannelColumns.Block(s.Tiles);
        int end = s.BlockEnd(block);
        var moments = default(Moments);
        if (c < s.Channels)
        {
            // Four loads in flight before their values are used (ILGPU does not unroll); the order of the Adds is
            // the plain loop's, so the result does not depend on the unrolling.
            const int step = ChannelColumns.Warps, stride = 4 * step;
            int r = block * s.BlockRows + Warp.WarpIdx;
            for (; r + 3 * step < end; r += stride)
            {
                long i = (long)r * s.Channels + c, rowStep = (long)step * s.Channels;
                float v0 = x[i], v1 = x[i + rowStep], v2 = x[i + 2 * rowStep], v3 = x[i + 3 * rowStep];
                moments.Add(v0);
                moments.Add(v1);
                moments.Add(v2);
                moments.Add(v3);
            }
            for (; r < end; r += step) moments.Add(x[(long)r * s.Channels + c]);
        }
        moments.Publish(shared);
        Group.Barrier();
        if (Warp.WarpIdx != 0 || c >= s.Channels) return;
        moments = Moments.MergeOfWarps(shared);
        partials[s.Partial(0, block, c)] = moments.Mean;
        partials[s.Partial(1, block, c)] = moments.M2;
    }

    /// <summary>
    /// Stage two: one group per 32 channels merges the blocks' moments (warps over blocks, then warp 0 over warps);
    /// writes the batch mean, 1/sqrt(biased var + eps), and updates the running statistics with the unbiased variance.
    /// </summary>
    [GpuKernel(Grouped = true)]
    internal static void BatchNormBatchStatsKernel(ArrayView<float> partials, ArrayView<float> runningMean, ArrayView<float> runningVar,
        ArrayView<float> saveMean, ArrayView<float> saveInvStd, BatchNormShape s)
    {
        var shared = SharedMemory.Allocate<float>(3 * ChannelColumns.GroupSize);
        int c = ChannelColumns.Channel(s.Tiles);
        var moments = default(Moments);
        if (c < s.Channels)
            for (int block = Warp.WarpIdx; block < s.Blocks; block += ChannelColumns.Warps)
                moments = Moments.Merge(moments, new Moments(s.BlockEnd(block) - block * s.BlockRows, partials[s.Partial(0, block, c)], partials[s.Partial(1, block, c)]));
        moments.Publish(shared);
        Group.Barrier();
        if (Warp.WarpIdx != 0 || c >= s.Channels) return;
        moments = Moments.MergeOfWarps(shared);
        float variance = moments.M2 / moments.Count, unbiased = moments.M2 / (moments.Count - 1);
        saveMean[c] = moments.Mean;
        saveInvStd[c] = 1f / XMath.Sqrt(variance + s.Epsilon);
        runningMean[c] = (1 - s.Momentum) * runningMean[c] + s.Momentum * moments.Mean;
        runningVar[c] = (1 - s.Momentum) * runningVar[c] + s.Momentum * unbiased;
    }

    /// <summary>Inference: the running statistics are the ones used.</summary>
    [GpuKernel]
    internal static void BatchNormRunningStatsKernel(Index1D c, ArrayView<float> runningMean, ArrayView<float> runningVar,
        ArrayView<float> saveMean, ArrayView<float> saveInvStd, float epsilon)
    {
        saveMean[c] = runningMean[c];
        saveInvStd[c] = 1f / XMath.Sqrt(runningVar[c] + epsilon);
    }

    /// <summary>y = (x - mean) * invstd * gamma + beta (the reference's formula).</summary>
    [GpuKernel]
    internal static void BatchNormNormalizeKernel(Index1D i, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta,
        ArrayView<float> mean, ArrayView<float> invStd, ArrayView<float> y, int channels)
    {
        int c = i % channels;
        y[i] = (x[i] - mean[c]) * invStd[c] * gamma[c] + beta[c];
    }

    /// <summary>Stage one of the backward sums: sum(dy) and sum(dy * (x - mean)) of each block per channel, into partials [2, blocks, C].</summary>
    [GpuKernel(Grouped = true)]
    internal static void BatchNormBlockGradientSumsKernel(ArrayView<float> dy, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> partials, BatchNormShape s)
    {
        var shared = SharedMemory.Allocate<float>(2 * ChannelColumns.GroupSize);
        int c = ChannelColumns.Channel(s.Tiles), block = ChannelColumns.Block(s.Tiles);
        int end = s.BlockEnd(block);
        float sumDy = 0, sumDyXmu = 0;
        if (c < s.Channels)
        {
            float m = mean[c];
            for (int r = block * s.BlockRows + Warp.WarpIdx; r < end; r += ChannelColumns.Warps)
            {
                long i = (long)r * s.Channels + c;
                sumDy += dy[i];
                sumDyXmu += dy[i] * (x[i] - m);
            }
        }
        ChannelColumns.Publish(shared, 0, sumDy);
        ChannelColumns.Publish(shared, 1, sumDyXmu);
        Group.Barrier();
        if (Warp.WarpIdx != 0 || c >= s.Channels) return;
        partials[s.Partial(0, block, c)] = ChannelColumns.SumOfWarps(shared, 0);
        partials[s.Partial(1, block, c)] = ChannelColumns.SumOfWarps(shared, 1);
    }

    /// <summary>Stage two: one group per 32 channels sums the blocks' partials; dbeta = sum(dy), dgamma = sum(dy * xhat).</summary>
    [GpuKernel(Grouped = true)]
    internal static void BatchNormGradientSumsKernel(ArrayView<float> partials, ArrayView<float> invStd, ArrayView<float> dGamma, ArrayView<float> dBeta, BatchNormShape s)
    {
        var shared = SharedMemory.Allocate<float>(2 * ChannelColumns.GroupSize);
        int c = ChannelColumns.Channel(s.Tiles);
        float sumDy = 0, sumDyXmu = 0;
        if (c < s.Channels)
            for (int block = Warp.WarpIdx; block < s.Blocks; block += ChannelColumns.Warps)
            {
                sumDy += partials[s.Partial(0, block, c)];
                sumDyXmu += partials[s.Partial(1, block, c)];
            }
        ChannelColumns.Publish(shared, 0, sumDy);
        ChannelColumns.Publish(shared, 1, sumDyXmu);
        Group.Barrier();
        if (Warp.WarpIdx != 0 || c >= s.Channels) return;
        dBeta[c] = ChannelColumns.SumOfWarps(shared, 0);
        dGamma[c] = ChannelColumns.SumOfWarps(shared, 1) * invStd[c];
    }

    /// <summary>Training: dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)); inference: dx = gamma * invstd * dy.</summary>
    [GpuKernel]
    internal static void BatchNormDInputKernel(Index1D i, ArrayView<float> dy, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> mean,
        ArrayView<float> invStd, ArrayView<float> dGamma, ArrayView<float> dBeta, ArrayView<float> dx, BatchNormShape s)
    {
        int c = i % s.Channels;
        float scale = gamma[c] * invStd[c];
        if (s.Training == 0)
        {
            dx[i] = scale * dy[i];
            return;
        }
        float xhat = (x[i] - mean[c]) * invStd[c];
        dx[i] = scale * (dy[i] - dBeta[c] / s.Rows - xhat * (dGamma[c] / s.Rows));
    }
}

/// <summary>
/// x viewed as [Rows, Channels], cut into <see cref="Blocks"/> blocks of <see cref="BlockRows"/> rows (the last one
/// shorter): the fixed partition of the two-stage reductions. Depends on the shape only, never on the device.
/// Also carries the scalars of the op: momentum and epsilon (forward), Training (backward: 1 for the full formula).
/// </summary>
internal struct BatchNormShape
{
    /// <summary>Enough rows for a group to stream (16 per warp); few enough blocks that stage two's threads merge at most 64.</summary>
    private const int MinBlockRows = 128, MaxBlocks = 512;

    public int Rows, Channels, Tiles, BlockRows, Blocks;
    public float Momentum, Epsilon;
    public int Training;

    public static BatchNormShape Of(Tensor x, double momentum, double epsilon)
    {
        int channels = x.Shape[-1], rows = channels == 0 ? 0 : x.ElementCount / channels;
        int blockRows = Math.Max(MinBlockRows, (rows + MaxBlocks - 1) / MaxBlocks);
        return new BatchNormShape
        {
            Rows = rows, Channels = channels, Tiles = ChannelColumns.Tiles(channels), BlockRows = blockRows,
            // At least one block, so that an empty batch still writes zero sums.
            Blocks = Math.Max(1, (rows + blockRows - 1) / blockRows),
            Momentum = (float)momentum, Epsilon = (float)epsilon,
        };
    }

    /// <summary>Stage two's launch: one group per 32 channels, its warps over the blocks.</summary>
    public readonly KernelConfig ChannelTiles => ChannelColumns.Config(1, Channels);

    public readonly int BlockEnd(int block) => Math.Min((block + 1) * BlockRows, Rows);

    /// <summary>Index of quantity <paramref name="k"/> of (block, channel) in partials [2, blocks, C] (coalesced along C).</summary>
    public readonly int Partial(int k, int block, int c) => (k * Blocks + block) * Channels + c;
}
