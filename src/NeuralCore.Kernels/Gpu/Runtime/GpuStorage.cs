using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

using Device = NeuralCore.Tensors.Device;
using NeuralCore.Tensors.Memory;

namespace NeuralCore.Kernels.Gpu;

/// <summary>A block of device memory from a <see cref="GpuBlockPool"/>; it goes back to the pool when the last tensor on it is disposed.</summary>
public sealed class GpuStorage : Storage
{
    private readonly GpuBlockPool _pool;
    private readonly MemoryBuffer1D<byte, Stride1D.Dense> _block;
    private readonly long _capacity;

    internal GpuStorage(long byteLength, Device device, GpuBlockPool pool) : base(byteLength, device)
    {
        _pool = pool;
        _block = pool.Rent(Math.Max(byteLength, 1), out _capacity);
    }

    /// <summary>The storage's bytes as a device view (the block may be larger than the storage).</summary>
    public ArrayView<byte> Bytes => _block.View.SubView(0, ByteLength);

    protected override void Free() => _pool.Return(_block, _capacity);
}
