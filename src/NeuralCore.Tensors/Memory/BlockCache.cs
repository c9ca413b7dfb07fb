namespace NeuralCore.Tensors.Memory;

/// <summary>
/// The bookkeeping of a caching allocator, for any kind of block (host pointers, device buffers): freed blocks are
/// kept, bucketed by rounded size, and handed out again. The owner allocates a fresh block only when
/// <see cref="TryTake"/> finds none, and reports it with <see cref="CountFresh"/>.
/// </summary>
/// <remarks>
/// Sizes are rounded up to one of 8 steps per power of two (at most 12.5% waste), so activations of one shape
/// always land in the same bucket. When that bucket is empty, the smallest cached block of up to twice the size is
/// handed out instead: a training step that releases its intermediates early frees and requests blocks of many
/// sizes in turn, and exact buckets alone would then hold far more memory than is ever in use at once.
/// Thread-safe: kernels never allocate, but finalizers and prefetch threads may.
/// </remarks>
public sealed class BlockCache<TBlock>
{
    private readonly Dictionary<long, Stack<TBlock>> _free = new();
    private readonly object _lock = new();

    public BlockCache(int alignment) => Alignment = alignment;

    public int Alignment { get; }

    /// <summary>Bytes handed out and not yet returned.</summary>
    public long BytesInUse { get; private set; }

    /// <summary>Bytes held in the cache, ready for reuse.</summary>
    public long BytesCached { get; private set; }

    /// <summary>Everything allocated and not trimmed: in use plus cached.</summary>
    public long BytesHeld
    {
        get
        {
            lock (_lock) return BytesInUse + BytesCached;
        }
    }

    /// <summary>The most bytes ever in use at once (reset with <see cref="ResetPeak"/>).</summary>
    public long PeakBytesInUse { get; private set; }

    /// <summary>Bytes handed out since the cache was created, counting every block each time.</summary>
    public long BytesRentedTotal { get; private set; }

    /// <summary>Blocks that had to be allocated fresh (a steady-state training step should add none).</summary>
    public long FreshAllocations { get; private set; }

    public long RoundSize(long bytes)
    {
        if (bytes <= 256) return 256;
        int log = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(bytes - 1));
        long step = Math.Max(1L << (log - 3), Alignment);
        return (bytes + step - 1) / step * step;
    }

    /// <summary>
    /// A cached block of at least <paramref name="bytes"/> (best fit up to twice the rounded size), or false with
    /// <paramref name="capacity"/> set to the rounded size a fresh block should have.
    /// </summary>
    public bool TryTake(long bytes, out TBlock block, out long capacity)
    {
        capacity = RoundSize(bytes);
        lock (_lock)
        {
            // Each size class is the next rounding, so this walks the classes from the best fit upwards.
            for (long size = capacity; size <= 2 * capacity; size = RoundSize(size + 1))
            {
                if (!_free.TryGetValue(size, out var stack) || stack.Count == 0) continue;
                capacity = size;
                BytesCached -= size;
                TakeInUse(size);
                block = stack.Pop();
                return true;
            }
        }
        block = default!;
        return false;
    }

    /// <summary>Records a block the owner has just allocated fresh after <see cref="TryTake"/> found none.</summary>
    public void CountFresh(long capacity)
    {
        lock (_lock)
        {
            TakeInUse(capacity);
            FreshAllocations++;
        }
    }

    /// <summary>Takes back a block handed out with this <paramref name="capacity"/>.</summary>
    public void Put(TBlock block, long capacity)
    {
        lock (_lock)
        {
            BytesInUse -= capacity;
            BytesCached += capacity;
            if (!_free.TryGetValue(capacity, out var stack)) _free[capacity] = stack = new Stack<TBlock>();
            stack.Push(block);
        }
    }

    /// <summary>Removes every cached block and returns them, for the owner to free.</summary>
    public List<TBlock> TakeAllCached()
    {
        lock (_lock)
        {
            var blocks = _free.Values.SelectMany(s => s).ToList();
            _free.Clear();
            BytesCached = 0;
            return blocks;
        }
    }

    public void ResetPeak()
    {
        lock (_lock) PeakBytesInUse = BytesInUse;
    }

    private void TakeInUse(long capacity)
    {
        BytesInUse += capacity;
        BytesRentedTotal += capacity;
        PeakBytesInUse = Math.Max(PeakBytesInUse, BytesInUse);
    }
}
