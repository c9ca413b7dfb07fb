using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors.Memory;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// The caching allocator of one GPU: device blocks are kept after use and handed out again by size class (the same
/// policy as the host pool, <see cref="BlockCache{TBlock}"/>), so a training step allocates nothing from the driver
/// once the first steps have run, and memory stays flat from step to step.
/// Thread-safe (a data loader's producer thread allocates its batches while the trainer allocates activations):
/// the cache and the set of blocks are locked, and ILGPU binds the accelerator to each allocating thread.
/// </summary>
public sealed class GpuBlockPool
{
    // 256 bytes: what cudaMalloc guarantees, and enough for any vector load a kernel makes.
    private readonly BlockCache<MemoryBuffer1D<byte, Stride1D.Dense>> _cache = new(alignment: 256);
    // Every block handed out, held strongly: a tensor nobody disposed is finalized together with its buffer object,
    // and ILGPU's own finalizer would free the memory that the storage's finalizer just returned to the cache.
    private readonly HashSet<MemoryBuffer1D<byte, Stride1D.Dense>> _allocated = new(ReferenceEqualityComparer.Instance);
    private readonly Accelerator _accelerator;
    private readonly string _deviceName;
    private readonly Action? _beforeReuse;

    /// <param name="beforeReuse">Runs before a returned block goes back to the cache (the input pool's wait for the
    /// compute stream), so that every cached block is safe to hand out at once.</param>
    internal GpuBlockPool(Accelerator accelerator, string deviceName, Action? beforeReuse = null)
    {
        _accelerator = accelerator;
        _deviceName = deviceName;
        _beforeReuse = beforeReuse;
    }

    public long BytesInUse => _cache.BytesInUse;

    public long BytesCached => _cache.BytesCached;

    public long PeakBytesInUse => _cache.PeakBytesInUse;

    /// <summary>Blocks allocated from the driver (steady-state training adds none).</summary>
    public long DriverAllocations => _cache.FreshAllocations;

    internal MemoryBuffer1D<byte, Stride1D.Dense> Rent(long bytes, out long capacity)
    {
        if (_cache.TryTake(bytes, out var block, out capacity)) return block;
        block = AllocateFresh(capacity);
        _cache.CountFresh(capacity);
        lock (_allocated) _allocated.Add(block);
        return block;
    }

    internal void Return(MemoryBuffer1D<byte, Stride1D.Dense> block, long capacity)
    {
        _beforeReuse?.Invoke();
        _cache.Put(block, capacity);
    }

    /// <summary>Frees every cached block (after an out-of-memory error, or between runs).</summary>
    public void Trim()
    {
        foreach (var block in _cache.TakeAllCached())
        {
            lock (_allocated) _allocated.Remove(block);
            block.Dispose();
        }
    }

    private MemoryBuffer1D<byte, Stride1D.Dense> AllocateFresh(long capacity)
    {
        try
        {
            return _accelerator.Allocate1D<byte>(capacity);
        }
        catch (Exception first) when (first is not OutOfMemoryException || _cache.BytesCached > 0)
        {
            // The cache may hold enough memory in blocks of other sizes: free them all and try once more.
            Trim();
            try
            {
                return _accelerator.Allocate1D<byte>(capacity);
            }
            catch (Exception second)
            {
                throw new GpuOutOfMemoryException(_deviceName, capacity, _cache.BytesInUse, OpContext.LastOp, second);
            }
        }
    }
}

/// <summary>The device could not give the bytes an op asked for, even after the allocator released its cache.</summary>
public sealed class GpuOutOfMemoryException(string device, long bytes, long bytesInUse, string? op, Exception inner)
    : Exception($"{device}: out of device memory: a tensor{(op is null ? "" : $" (last op dispatched: {op})")} asked for {bytes:N0} bytes with {bytesInUse:N0} bytes in use " +
                "(the allocator's cache was released first); use a smaller batch or image size", inner);
