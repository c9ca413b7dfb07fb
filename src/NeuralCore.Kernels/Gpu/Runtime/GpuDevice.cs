using System.Runtime.CompilerServices;

using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

using Device = NeuralCore.Tensors.Device;
using NeuralCore.Tensors.Memory;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// One opened GPU (a CUDA card or the emulator): its ILGPU accelerator, caching allocator and kernels. All work
/// goes to the accelerator's default stream in call order; the host waits only where it reads a value (downloads).
/// </summary>
public sealed class GpuDevice : IDeviceRuntime
{
    internal GpuDevice(Device device, Accelerator accelerator)
    {
        Device = device;
        Accelerator = accelerator;
        Pool = new GpuBlockPool(accelerator, device.ToString());
        Kernels = new GpuKernels(this);
    }

    public Device Device { get; }

    public Accelerator Accelerator { get; }

    public GpuBlockPool Pool { get; }

    /// <summary>The backend's kernels on this device (what <see cref="Backend"/> dispatches to).</summary>
    public GpuKernels Kernels { get; }

    public string Name => Accelerator.Name;

    /// <summary>Waits until every kernel and copy queued on this device has finished.</summary>
    public void Synchronize() => Accelerator.Synchronize();

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

    void IDeviceRuntime.Upload(ReadOnlySpan<byte> src, Tensor dst) =>
        BytesOf(dst).CopyFromCPU(Accelerator.DefaultStream, src);

    void IDeviceRuntime.Download(Tensor src, Span<byte> dst)
    {
        BytesOf(src).CopyToCPU(Accelerator.DefaultStream, dst);
        Accelerator.DefaultStream.Synchronize();
    }

    /// <summary>The bytes of a contiguous tensor on this device.</summary>
    private ArrayView<byte> BytesOf(Tensor t)
    {
        if (t.Storage is not GpuStorage storage || t.Device != Device)
            throw new InvalidOperationException($"{t.Describe()} is not on {Device}");
        if (!t.IsContiguous) throw new InvalidOperationException($"{t.Describe()}: host transfers need a contiguous tensor");
        int size = t.DType.SizeOf();
        return storage.Bytes.SubView((long)t.Offset * size, (long)t.ElementCount * size);
    }

    public override string ToString() => $"{Device} ({Name})";
}
