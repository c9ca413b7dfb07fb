using ILGPU;
using ILGPU.Runtime;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// Per-channel reductions over the rows of channels-last data viewed as [rows, C] (batch-norm statistics and their
/// partials, global average pooling). A group of <see cref="GroupSize"/> threads covers 32 channels (a warp's lanes,
/// so each row is read as one coalesced 128-byte segment) and one block of rows, its <see cref="Warps"/> warps taking
/// rows warp, warp + 8, ...; each thread then publishes its result in shared memory and, after one barrier, warp 0
/// combines the 8 warps' results in warp order. Nothing depends on timing, so the bits are the same run after run.
/// </summary>
internal static class ChannelColumns
{
    public const int Lanes = 32;
    public const int Warps = 8;
    public const int GroupSize = Lanes * Warps;

    /// <summary>Groups of 32 channels needed for <paramref name="channels"/> channels.</summary>
    public static int Tiles(int channels) => (channels + Lanes - 1) / Lanes;

    /// <summary>One group per (row block, channel tile): grid index = block * tiles + tile.</summary>
    public static KernelConfig Config(int blocks, int channels) => new(blocks * Tiles(channels), GroupSize);

    /// <summary>The channel this thread covers in a grid laid out by <see cref="Config"/>.</summary>
    public static int Channel(int tiles) => Grid.IdxX % tiles * Lanes + Warp.LaneIdx;

    /// <summary>The row block of this thread's group in a grid laid out by <see cref="Config"/>.</summary>
    public static int Block(int tiles) => Grid.IdxX / tiles;

    /// <summary>
    /// Stores this thread's value of quantity <paramref name="k"/> in <paramref name="shared"/> (GroupSize floats per
    /// quantity); the group's Group.Barrier() must follow before any warp reads it.
    /// </summary>
    public static void Publish(ArrayView<float> shared, int k, float value) => shared[k * GroupSize + Group.IdxX] = value;

    /// <summary>Warp <paramref name="warp"/>'s published value of quantity <paramref name="k"/> for this lane's channel.</summary>
    public static float Published(ArrayView<float> shared, int k, int warp) => shared[k * GroupSize + warp * Lanes + Warp.LaneIdx];

    /// <summary>After the barrier: the sum of the warps' published values of quantity <paramref name="k"/>, in warp order.</summary>
    public static float SumOfWarps(ArrayView<float> shared, int k)
    {
        float sum = 0;
        for (int warp = 0; warp < Warps; warp++) sum += Published(shared, k, warp);
        return sum;
    }
}

/// <summary>
/// Count, mean and sum of squared deviations (M2) of a set of values; <see cref="Merge"/> joins two sets with Chan's
/// formula, which keeps the variance accurate where sum-of-squares formulas cancel.
/// </summary>
internal struct Moments
{
    public float Count, Mean, M2;

    public Moments(float count, float mean, float m2)
    {
        Count = count;
        Mean = mean;
        M2 = m2;
    }

    /// <summary>Welford's update with one more value.</summary>
    public void Add(float value)
    {
        Count += 1;
        float delta = value - Mean;
        Mean += delta / Count;
        M2 += delta * (value - Mean);
    }

    public static Moments Merge(Moments a, Moments b)
    {
        if (b.Count == 0) return a;
        if (a.Count == 0) return b;
        float count = a.Count + b.Count, delta = b.Mean - a.Mean, share = b.Count / count;
        return new Moments(count, a.Mean + delta * share, a.M2 + b.M2 + delta * delta * a.Count * share);
    }

    /// <summary>Publishes this thread's moments as quantities 0..2 (see <see cref="ChannelColumns.Publish"/>): 3 * GroupSize floats.</summary>
    public readonly void Publish(ArrayView<float> shared)
    {
        ChannelColumns.Publish(shared, 0, Count);
        ChannelColumns.Publish(shared, 1, Mean);
        ChannelColumns.Publish(shared, 2, M2);
    }

    /// <summary>After the barrier: the merge of the warps' published moments, in warp order.</summary>
    public static Moments MergeOfWarps(ArrayView<float> shared)
    {
        var merged = default(Moments);
        for (int warp = 0; warp < ChannelColumns.Warps; warp++)
            merged = Merge(merged, new Moments(ChannelColumns.Published(shared, 0, warp), ChannelColumns.Published(shared, 1, warp), ChannelColumns.Published(shared, 2, warp)));
        return merged;
    }
}
