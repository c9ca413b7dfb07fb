using ILGPU;
using ILGPU.Runtime;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// Per-channel reductions over the rows of channels-last data viewed as [rows, C] (batch-norm statistics, global
/// average pooling). A group of <see cref="GroupSize"/> threads covers 32 channels (a warp's lanes, so each row is
/// read as one coalesced 128-byte segment) and one block of rows, its <see cref="Warps"/> warps taking rows
/// warp, warp + 8, ...; the warps' results are then combined in shared memory by a tree of fixed shape. Nothing
/// depends on timing, so the bits are the same run after run.
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
    /// Sum over the group's warps of each lane's value (a fixed tree: 8 -> 4 -> 2 -> 1); the total is valid in warp 0.
    /// Every thread of the group must call it (it holds barriers). <paramref name="shared"/>: GroupSize floats.
    /// </summary>
    public static float SumOverWarps(ArrayView<float> shared, float value)
    {
        int t = Group.IdxX;
        shared[t] = value;
        Group.Barrier();
        for (int half = Warps / 2; half > 0; half >>= 1)
        {
            if (Warp.WarpIdx < half) shared[t] += shared[t + half * Lanes];
            Group.Barrier();
        }
        float total = shared[Warp.LaneIdx];
        // The slots are free again only once every warp has read its total.
        Group.Barrier();
        return total;
    }

    /// <summary>Warp sum of each lane's value, valid in lane 0 (shuffle-down tree of fixed shape).</summary>
    public static float SumOverLanes(float value)
    {
        for (int offset = Lanes / 2; offset > 0; offset >>= 1) value += Warp.ShuffleDown(value, offset);
        return value;
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

    /// <summary>
    /// Warp 0 gets, per lane, the merge over the group's warps (a fixed tree: 8 -> 4 -> 2 -> 1). Every thread of the
    /// group must call it (it holds barriers). <paramref name="shared"/>: 3 * GroupSize floats.
    /// </summary>
    public static Moments MergeOverWarps(ArrayView<float> shared, Moments m)
    {
        const int size = ChannelColumns.GroupSize;
        int t = Group.IdxX;
        shared[t] = m.Count;
        shared[size + t] = m.Mean;
        shared[2 * size + t] = m.M2;
        Group.Barrier();
        for (int half = ChannelColumns.Warps / 2; half > 0; half >>= 1)
        {
            if (Warp.WarpIdx < half)
            {
                int u = t + half * ChannelColumns.Lanes;
                m = Merge(m, new Moments(shared[u], shared[size + u], shared[2 * size + u]));
                shared[t] = m.Count;
                shared[size + t] = m.Mean;
                shared[2 * size + t] = m.M2;
            }
            Group.Barrier();
        }
        return m;
    }

    /// <summary>Lane 0 gets the merge of the warp's 32 lanes (shuffle-down tree of fixed shape).</summary>
    public static Moments MergeOverLanes(Moments m)
    {
        for (int offset = ChannelColumns.Lanes / 2; offset > 0; offset >>= 1)
        {
            var other = new Moments(Warp.ShuffleDown(m.Count, offset), Warp.ShuffleDown(m.Mean, offset), Warp.ShuffleDown(m.M2, offset));
            m = Merge(m, other);
        }
        return m;
    }
}
