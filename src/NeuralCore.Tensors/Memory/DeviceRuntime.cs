namespace NeuralCore.Tensors.Memory;

/// <summary>
/// What a non-CPU device provides to tensors: storage, copies and fills. The GPU backend (NeuralCore.Kernels.Gpu)
/// registers one per device kind when a device is first opened, so this assembly and the CPU path never touch a
/// GPU library.
/// </summary>
public interface IDeviceRuntime
{
    /// <summary>Device memory for <paramref name="bytes"/> bytes, from the device's caching allocator.</summary>
    Storage Allocate(long bytes, Device device);

    /// <summary>Copies <paramref name="src"/> into <paramref name="dst"/>: same device, shape and dtype, any strides.</summary>
    void Copy(Tensor src, Tensor dst);

    /// <summary>Sets every element of the contiguous <paramref name="tensor"/> to <paramref name="value"/>.</summary>
    void Fill(Tensor tensor, double value);

    /// <summary>Host bytes into the contiguous device tensor <paramref name="dst"/> (its whole extent).</summary>
    void Upload(ReadOnlySpan<byte> src, Tensor dst);

    /// <summary>The contiguous device tensor <paramref name="src"/> into host bytes; waits for pending work first.</summary>
    void Download(Tensor src, Span<byte> dst);
}

/// <summary>The registered <see cref="IDeviceRuntime"/> of each device kind.</summary>
public static class DeviceRuntimes
{
    private static readonly Dictionary<DeviceKind, Func<Device, IDeviceRuntime>> Runtimes = new();

    /// <summary>Called by a backend: <paramref name="runtimeFor"/> opens (or returns) the runtime of a device.</summary>
    public static void Register(DeviceKind kind, Func<Device, IDeviceRuntime> runtimeFor)
    {
        lock (Runtimes) Runtimes[kind] = runtimeFor;
    }

    public static IDeviceRuntime For(Device device)
    {
        Func<Device, IDeviceRuntime>? runtimeFor;
        lock (Runtimes) Runtimes.TryGetValue(device.Kind, out runtimeFor);
        if (runtimeFor is null)
            throw new InvalidOperationException(
                $"device {device}: no GPU backend is loaded (open it with NeuralCore.Kernels.Gpu.GpuDevices.Open(\"{device}\") before creating tensors there)");
        return runtimeFor(device);
    }
}
