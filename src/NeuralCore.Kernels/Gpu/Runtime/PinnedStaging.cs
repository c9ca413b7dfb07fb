using ILGPU.Runtime;

using NeuralCore.Tensors.Memory;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// Page-locked host blocks of one GPU, kept and reused by size class (<see cref="BlockCache{TBlock}"/>): every
/// host&lt;-&gt;device copy goes through one, so the driver can DMA it asynchronously instead of staging pageable
/// memory itself (a CUDA copy from pageable memory also blocks the host). Page-locking is slow (the driver maps
/// the pages), which is why blocks are cached rather than freed. On the emulator ILGPU accepts the same calls and
/// copies synchronously, so CI runs the same path.
/// Thread-safe: the compute thread's uploads and a loader's producer thread rent from the same pool.
/// </summary>
public sealed class PinnedStaging
{
    /// <summary>The largest block (ILGPU's page-locked arrays are indexed by int).</summary>
    public const int MaxBlockBytes = 1 << 30;

    /// <summary>Tensor uploads and downloads go through blocks of at most this many bytes, piece by piece.</summary>
    internal const int ChunkBytes = 64 << 20;

    // Staging blocks that an upload queued on the compute stream may still be reading, given back to the cache once
    // the stream has been synchronised. Past this many bytes the next upload synchronises first, so a loop that only
    // uploads (and never reads a value back) cannot pin unbounded memory.
    private const long MaxPendingBytes = 4L * ChunkBytes;

    private readonly BlockCache<PageLockedArray1D<byte>> _cache = new(alignment: 4096);
    // In the order the copies were queued, each with its sequence number (see PendingMark).
    private readonly Queue<(long Sequence, PageLockedArray1D<byte> Block, long Capacity)> _pending = new();
    private readonly Accelerator _accelerator;
    private long _pendingBytes, _sequence;

    internal PinnedStaging(Accelerator accelerator) => _accelerator = accelerator;

    /// <summary>Page-locked bytes held by the pool, in use or cached.</summary>
    public long BytesHeld => _cache.BytesHeld;

    /// <summary>Blocks page-locked so far (a steady-state training step adds none).</summary>
    public long BlocksLocked => _cache.FreshAllocations;

    /// <summary>A block of at least <paramref name="bytes"/> (at most <see cref="MaxBlockBytes"/>).</summary>
    internal PageLockedArray1D<byte> Rent(long bytes, out long capacity)
    {
        if (bytes > MaxBlockBytes) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, $"a staging block holds at most {MaxBlockBytes} bytes");
        if (_cache.TryTake(Math.Max(bytes, 1), out var block, out capacity)) return block;
        // Registering host memory with CUDA needs the context current on this thread (a loader's producer thread
        // has none), and ILGPU's page-locking does not bind it itself.
        using (_accelerator.BindScoped())
            block = _accelerator.AllocatePageLocked1D<byte>(capacity, uninitialized: true);
        _cache.CountFresh(capacity);
        return block;
    }

    internal void Return(PageLockedArray1D<byte> block, long capacity) => _cache.Put(block, capacity);

    /// <summary>
    /// Gives back a block that a copy queued on the compute stream may still read: it returns to the cache at the
    /// stream's next synchronisation (<see cref="ComputeStreamSynchronized"/>). True when so many bytes are waiting
    /// that the caller should synchronise now.
    /// </summary>
    internal bool ReturnAfterComputeSync(PageLockedArray1D<byte> block, long capacity)
    {
        lock (_pending)
        {
            _pending.Enqueue((++_sequence, block, capacity));
            _pendingBytes += capacity;
            return _pendingBytes > MaxPendingBytes;
        }
    }

    /// <summary>
    /// Taken just before the compute stream is synchronised: the blocks given back up to now are the ones that
    /// synchronisation frees (another thread may queue a copy meanwhile, whose block must keep waiting).
    /// </summary>
    internal long PendingMark()
    {
        lock (_pending) return _sequence;
    }

    /// <summary>The compute stream has finished what was queued before <paramref name="mark"/>: those blocks are free.</summary>
    internal void ComputeStreamSynchronized(long mark)
    {
        lock (_pending)
        {
            while (_pending.TryPeek(out var first) && first.Sequence <= mark)
            {
                _pending.Dequeue();
                _pendingBytes -= first.Capacity;
                _cache.Put(first.Block, first.Capacity);
            }
        }
    }

    /// <summary>Unlocks and frees every cached block (between runs, or after an out-of-memory error).</summary>
    public void Trim()
    {
        using var binding = _accelerator.BindScoped();
        foreach (var block in _cache.TakeAllCached()) block.Dispose();
    }
}
