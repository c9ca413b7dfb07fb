using System.Runtime.CompilerServices;

using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

using Device = NeuralCore.Tensors.Device;
using NeuralCore.Tensors.Memory;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// One opened GPU (a CUDA card or the emulator): its ILGPU accelerator, caching allocators and kernels. All compute
/// goes to the accelerator's default stream (the compute stream) in call order; the host waits only where it reads a
/// value (downloads). Host&lt;-&gt;device copies go through page-locked staging (<see cref="Staging"/>); a data loader
/// uploads its batches on a stream of its own (<see cref="BackgroundUploader"/>).
/// </summary>
public sealed class GpuDevice : IDeviceRuntime
{
    internal GpuDevice(Device device, Accelerator accelerator)
    {
        Device = device;
        Accelerator = accelerator;
        Pool = new GpuBlockPool(accelerator, device.ToString());
        // A block of the input pool is written by a copy stream: before it can be handed out again, the compute stream
        // must have finished every kernel that reads it (ILGPU has no events to make the copy wait on the GPU).
        InputPool = new GpuBlockPool(accelerator, device.ToString(), beforeReuse: SynchronizeCompute);
        Staging = new PinnedStaging(accelerator);
        Kernels = new GpuKernels(this);
    }

    public Device Device { get; }

    public Accelerator Accelerator { get; }

    public GpuBlockPool Pool { get; }

    /// <summary>Device memory of tensors uploaded on a copy stream (a data loader's batches), apart from <see cref="Pool"/>.</summary>
    public GpuBlockPool InputPool { get; }

    /// <summary>The page-locked host blocks that every host&lt;-&gt;device copy goes through.</summary>
    public PinnedStaging Staging { get; }

    /// <summary>The backend's kernels on this device (what <see cref="Backend"/> dispatches to).</summary>
    public GpuKernels Kernels { get; }

    public string Name => Accelerator.Name;

    /// <summary>Waits until every kernel and copy queued on this device, on any stream, has finished.</summary>
    public void Synchronize()
    {
        long mark = Staging.PendingMark();
        Accelerator.Synchronize();
        Staging.ComputeStreamSynchronized(mark);
    }

    /// <summary>Waits until the compute stream has finished what was queued on it so far.</summary>
    internal void SynchronizeCompute()
    {
        long mark = Staging.PendingMark();
        Accelerator.DefaultStream.Synchronize();
        Staging.ComputeStreamSynchronized(mark);
    }

    /// <summary>The elements of a tensor on this device as a typed view (a kernel's argument).</summary>
    public ArrayView<T> View<T>(Tensor t) where T : unmanaged
    {
        if (t.Storage is not GpuStorage storage || t.Device != Device)
            throw new InvalidOperationException($"{t.Describe()} is not on {Device}");
        int size = Unsafe.SizeOf<T>();
        if (size != t.DType.SizeOf())
            throw new InvalidOperationException($"{t.Describe()} viewed as {typeof(T).Name}: element sizes differ");
        // The whole storage from the view's offset on: strided views index past their own element count.
        return storage.Bytes.Cast<T>().SubView(t.Offset);
    }

    Storage IDeviceRuntime.Allocate(long bytes, Device device) => new GpuStorage(bytes, device, Pool);

    void IDeviceRuntime.Copy(Tensor src, Tensor dst)
    {
        if (src.ElementCount == 0) return;
        switch (src.DType.SizeOf())
        {
            case 1: DeviceCopies.Strided<byte>(this, src, dst); break;
            case 4: DeviceCopies.Strided<int>(this, src, dst); break;
            default: DeviceCopies.Strided<long>(this, src, dst); break;
        }
    }

    void IDeviceRuntime.Fill(Tensor tensor, double value)
    {
        if (tensor.ElementCount == 0) return;
        switch (tensor.DType)
        {
            case DType.Float32: DeviceCopies.Fill(this, tensor, (float)value); break;
            case DType.Int32: DeviceCopies.Fill(this, tensor, (int)value); break;
            case DType.Float64: DeviceCopies.Fill(this, tensor, value); break;
            default: DeviceCopies.Fill(this, tensor, (byte)value); break;
        }
    }

    /// <summary>
    /// Copies the bytes into page-locked staging and queues the copy on the compute stream: the host goes on at once
    /// (ILGPU's copy from managed memory would wait for the stream). The staging is reused once the stream has been
    /// synchronised.
    /// </summary>
    void IDeviceRuntime.Upload(ReadOnlySpan<byte> src, Tensor dst)
    {
        var target = BytesOf(dst);
        for (int done = 0; done < src.Length;)
        {
            int n = Math.Min(PinnedStaging.ChunkBytes, src.Length - done);
            var block = Staging.Rent(n, out long capacity);
            src.Slice(done, n).CopyTo(block.Span);
            target.SubView(done, n).CopyFromCPUUnsafeAsync(Accelerator.DefaultStream, ref block[0], n);
            if (Staging.ReturnAfterComputeSync(block, capacity)) SynchronizeCompute();
            done += n;
        }
    }

    /// <summary>Copies through page-locked staging, waiting for the compute stream (the host is about to read).</summary>
    void IDeviceRuntime.Download(Tensor src, Span<byte> dst)
    {
        var source = BytesOf(src);
        if (dst.IsEmpty)
        {
            SynchronizeCompute();
            return;
        }
        var block = Staging.Rent(Math.Min(PinnedStaging.ChunkBytes, dst.Length), out long capacity);
        try
        {
            for (int done = 0; done < dst.Length;)
            {
                int n = Math.Min(PinnedStaging.ChunkBytes, dst.Length - done);
                source.SubView(done, n).CopyToCPUUnsafeAsync(Accelerator.DefaultStream, ref block[0], n);
                SynchronizeCompute();
                block.Span[..n].CopyTo(dst[done..]);
                done += n;
            }
        }
        finally
        {
            Staging.Return(block, capacity);
        }
    }

    /// <summary>The bytes of a contiguous tensor on this device.</summary>
    internal ArrayView<byte> BytesOf(Tensor t)
    {
        if (t.Storage is not GpuStorage storage || t.Device != Device)
            throw new InvalidOperationException($"{t.Describe()} is not on {Device}");
        if (!t.IsContiguous) throw new InvalidOperationException($"{t.Describe()}: host transfers need a contiguous tensor");
        int size = t.DType.SizeOf();
        return storage.Bytes.SubView((long)t.Offset * size, (long)t.ElementCount * size);
    }

    public override string ToString() => $"{Device} ({Name})";
}
