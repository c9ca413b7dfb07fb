using System.Runtime.InteropServices;

using ILGPU.Runtime;

using NeuralCore.Tensors;

using Device = NeuralCore.Tensors.Device;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// Uploads from a producer thread (a data loader's) on a copy stream of its own, so that the next batch's copy
/// overlaps the compute stream's work on this one. The producer fills page-locked blocks (<see cref="Rent"/>), queues
/// their copies (<see cref="Upload"/>) and waits for them on its own thread (<see cref="Complete"/>) before it hands
/// the tensors on: ILGPU has no events to make the compute stream wait for the copy stream, so the order is kept on
/// the host, and the trainer's thread never waits for a copy. The tensors' memory comes from the device's
/// <see cref="GpuDevice.InputPool"/>, whose blocks are reused only after the compute stream has finished with them,
/// so a copy never overwrites data a queued kernel still reads. One uploader per producer thread.
/// </summary>
public sealed class BackgroundUploader : IDisposable
{
    private readonly GpuDevice _device;
    private readonly AcceleratorStream _stream;

    public BackgroundUploader(Device device)
    {
        _device = GpuDevices.Open(device);
        _stream = _device.Accelerator.CreateStream();
    }

    public Device Device => _device.Device;

    /// <summary>A page-locked host block of at least <paramref name="bytes"/> for the producer to fill; dispose it after <see cref="Complete"/>.</summary>
    public PinnedBlock Rent(long bytes)
    {
        if (bytes > PinnedStaging.MaxBlockBytes)
            throw new ArgumentOutOfRangeException(nameof(bytes), $"{Device}: an upload of {bytes:N0} bytes is larger than a page-locked block ({PinnedStaging.MaxBlockBytes:N0} bytes)");
        var block = _device.Staging.Rent(bytes, out long capacity);
        return new PinnedBlock(_device.Staging, block, capacity);
    }

    /// <summary>
    /// A new device tensor of <paramref name="shape"/> and <paramref name="dtype"/> whose elements are the first bytes
    /// of <paramref name="source"/>, copied on this uploader's stream: no kernel may read it before <see cref="Complete"/>.
    /// The tensor belongs to no scope (the consumer disposes it).
    /// </summary>
    public Tensor Upload(PinnedBlock source, Shape shape, DType dtype)
    {
        long bytes = (long)shape.ElementCount * dtype.SizeOf();
        if (bytes > source.Length)
            throw new ArgumentException($"{Device}: upload of {dtype.Name()} {shape} needs {bytes:N0} bytes, the page-locked block holds {source.Length:N0}");
        Tensor tensor;
        using (TensorScope.Persistent())
            tensor = Tensor.OnStorage(new GpuStorage(bytes, _device.Device, _device.InputPool), shape, dtype);
        if (bytes > 0) _device.BytesOf(tensor).CopyFromCPUUnsafeAsync(_stream, ref source.First, bytes);
        return tensor;
    }

    /// <summary>Waits, on the calling thread, until every copy queued by this uploader has landed on the device.</summary>
    public void Complete() => _stream.Synchronize();

    public void Dispose()
    {
        _stream.Synchronize();
        _stream.Dispose();
    }
}

/// <summary>A page-locked host block rented from a device's <see cref="PinnedStaging"/>; disposing gives it back.</summary>
public sealed class PinnedBlock : IDisposable
{
    private readonly PinnedStaging _staging;
    private readonly PageLockedArray1D<byte> _block;
    private readonly long _capacity;
    private int _returned;

    internal PinnedBlock(PinnedStaging staging, PageLockedArray1D<byte> block, long capacity)
    {
        _staging = staging;
        _block = block;
        _capacity = capacity;
    }

    /// <summary>Usable bytes (at least what was asked for).</summary>
    public long Length => _block.Length;

    internal ref byte First => ref _block[0];

    /// <summary>The block's first bytes as <paramref name="count"/> elements of <typeparamref name="T"/>.</summary>
    public Span<T> Span<T>(int count) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _returned) != 0, this);
        return MemoryMarshal.Cast<byte, T>(_block.Span)[..count];
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0) _staging.Return(_block, _capacity);
    }
}
