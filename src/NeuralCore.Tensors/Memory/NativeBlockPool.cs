using System.Runtime.InteropServices;

namespace NeuralCore.Tensors.Memory;

/// <summary>
/// A caching allocator for 64-byte-aligned native blocks. Freed blocks are kept, bucketed by rounded size, and
/// handed out again instead of going back to the OS: on these VMs freshly touched memory costs about 1 GB/s
/// (the host reclaims freed pages), so a training step that reallocates its activations every step would spend
/// most of its time page-faulting. With the pool, memory is flat from step to step.
/// </summary>
/// <remarks>
/// Sizes are rounded up to one of 8 steps per power of two (at most 12.5% waste), so activations of one shape
/// always land in the same bucket. When that bucket is empty, the smallest cached block of up to twice the size is
/// handed out instead: a training step that releases its intermediates early frees and requests blocks of many
/// sizes in turn, and exact buckets alone would then hold far more memory than is ever in use at once.
/// Thread-safe: kernels never allocate, but finalizers and prefetch threads may.
/// </remarks>
public sealed unsafe class NativeBlockPool
{
    public const int Alignment = 64;

    public static NativeBlockPool Shared { get; } = new();

    private readonly Dictionary<long, Stack<nint>> _free = new();
    private readonly object _lock = new();

    /// <summary>Bytes handed out and not yet returned.</summary>
    public long BytesInUse { get; private set; }

    /// <summary>Bytes held in the pool, ready for reuse.</summary>
    public long BytesCached { get; private set; }

    /// <summary>Everything taken from the OS and not trimmed: in use plus cached (what the process's RSS sees).</summary>
    public long BytesHeld
    {
        get
        {
            lock (_lock) return BytesInUse + BytesCached;
        }
    }

    /// <summary>The most bytes ever in use at once (reset with <see cref="ResetPeak"/>).</summary>
    public long PeakBytesInUse { get; private set; }

    /// <summary>Bytes handed out since the pool was created, counting every block each time (how much a pass allocates in all).</summary>
    public long BytesRentedTotal { get; private set; }

    /// <summary>Blocks that had to come from the OS (a steady-state training step should add none).</summary>
    public long OsAllocations { get; private set; }

    public static long RoundSize(long bytes)
    {
        if (bytes <= 256) return 256;
        int log = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(bytes - 1));
        long step = Math.Max(1L << (log - 3), Alignment);
        return (bytes + step - 1) / step * step;
    }

    /// <summary>A block of at least <paramref name="bytes"/>; <paramref name="capacity"/> is its real size, to pass back to <see cref="Return"/>.</summary>
    public nint Rent(long bytes, out long capacity)
    {
        capacity = RoundSize(bytes);
        lock (_lock)
        {
            // Best fit among the cached blocks of up to twice the rounded size (each class is the next rounding).
            for (long size = capacity; size <= 2 * capacity; size = RoundSize(size + 1))
            {
                if (!_free.TryGetValue(size, out var stack) || stack.Count == 0) continue;
                capacity = size;
                BytesCached -= size;
                TakeInUse(size);
                return stack.Pop();
            }
            TakeInUse(capacity);
            OsAllocations++;
        }
        void* p = NativeMemory.AlignedAlloc((nuint)capacity, Alignment);
        if (p == null) throw new OutOfMemoryException($"could not allocate {capacity} bytes of tensor storage");
        return (nint)p;
    }

    private void TakeInUse(long capacity)
    {
        BytesInUse += capacity;
        BytesRentedTotal += capacity;
        PeakBytesInUse = Math.Max(PeakBytesInUse, BytesInUse);
    }

    public void Return(nint block, long capacity)
    {
        lock (_lock)
        {
            BytesInUse -= capacity;
            BytesCached += capacity;
            if (!_free.TryGetValue(capacity, out var stack)) _free[capacity] = stack = new Stack<nint>();
            stack.Push(block);
        }
    }

    /// <summary>Gives every cached block back to the OS (between runs, never inside a training loop).</summary>
    public void Trim()
    {
        lock (_lock)
        {
            foreach (var stack in _free.Values)
                while (stack.Count > 0) NativeMemory.AlignedFree((void*)stack.Pop());
            _free.Clear();
            BytesCached = 0;
        }
    }

    public void ResetPeak()
    {
        lock (_lock) PeakBytesInUse = BytesInUse;
    }
}
