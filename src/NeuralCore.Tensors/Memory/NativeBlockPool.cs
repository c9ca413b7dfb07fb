using System.Runtime.InteropServices;

namespace NeuralCore.Tensors.Memory;

/// <summary>
/// A caching allocator for 64-byte-aligned native blocks. Freed blocks are kept (<see cref="BlockCache{TBlock}"/>)
/// and handed out again instead of going back to the OS: on these VMs freshly touched memory costs about 1 GB/s
/// (the host reclaims freed pages), so a training step that reallocates its activations every step would spend
/// most of its time page-faulting. With the pool, memory is flat from step to step.
/// </summary>
public sealed unsafe class NativeBlockPool
{
    public const int Alignment = 64;

    private readonly BlockCache<nint> _cache = new(Alignment);

    public static NativeBlockPool Shared { get; } = new();

    /// <summary>Bytes handed out and not yet returned.</summary>
    public long BytesInUse => _cache.BytesInUse;

    /// <summary>Bytes held in the pool, ready for reuse.</summary>
    public long BytesCached => _cache.BytesCached;

    /// <summary>Everything taken from the OS and not trimmed: in use plus cached (what the process's RSS sees).</summary>
    public long BytesHeld => _cache.BytesHeld;

    /// <summary>The most bytes ever in use at once (reset with <see cref="ResetPeak"/>).</summary>
    public long PeakBytesInUse => _cache.PeakBytesInUse;

    /// <summary>Bytes handed out since the pool was created, counting every block each time (how much a pass allocates in all).</summary>
    public long BytesRentedTotal => _cache.BytesRentedTotal;

    /// <summary>Blocks that had to come from the OS (a steady-state training step should add none).</summary>
    public long OsAllocations => _cache.FreshAllocations;

    public static long RoundSize(long bytes) => Shared._cache.RoundSize(bytes);

    /// <summary>A block of at least <paramref name="bytes"/>; <paramref name="capacity"/> is its real size, to pass back to <see cref="Return"/>.</summary>
    public nint Rent(long bytes, out long capacity)
    {
        if (_cache.TryTake(bytes, out nint block, out capacity)) return block;
        void* p = NativeMemory.AlignedAlloc((nuint)capacity, Alignment);
        if (p == null) throw new OutOfMemoryException($"could not allocate {capacity} bytes of tensor storage");
        _cache.CountFresh(capacity);
        return (nint)p;
    }

    public void Return(nint block, long capacity) => _cache.Put(block, capacity);

    /// <summary>Gives every cached block back to the OS (between runs, never inside a training loop).</summary>
    public void Trim()
    {
        foreach (nint block in _cache.TakeAllCached()) NativeMemory.AlignedFree((void*)block);
    }

    public void ResetPeak() => _cache.ResetPeak();
}
