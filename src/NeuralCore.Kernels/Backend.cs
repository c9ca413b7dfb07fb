using NeuralCore.Kernels.Cpu;
using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>Which kernels run an op on CPU tensors.</summary>
public enum KernelBackend
{
    /// <summary>Plain generic-math loops (<see cref="ReferenceKernels"/>): the ground truth, float32 and float64.</summary>
    Reference,

    /// <summary>SIMD, multithreaded float32 kernels (<see cref="CpuKernels"/>), the reference for what they leave.</summary>
    Cpu,
}

/// <summary>
/// Chooses the kernels of each op call (<see cref="For"/>): tensors on a non-CPU device run the kernels registered for
/// that device kind (<see cref="Register"/>); CPU tensors run the Reference kernels when any input is float64, else the
/// Cpu kernels (tests force the Reference with <see cref="Use"/> to compare the two).
/// </summary>
public static class Backend
{
    private static readonly IKernels ReferenceKernels = new ReferenceKernels();
    private static readonly IKernels CpuKernels = new CpuKernels();
    private static readonly Lock RegisterLock = new();

    /// <summary>Replaced, never mutated, on registration: For reads it without a lock.</summary>
    private static volatile Dictionary<DeviceKind, Func<Device, IKernels>> _registered = [];

    [ThreadStatic] private static KernelBackend? _forced;

    /// <summary>Forces the given CPU backend on this thread until the returned scope is disposed.</summary>
    public static IDisposable Use(KernelBackend backend)
    {
        var previous = _forced;
        _forced = backend;
        return new Restore(previous);
    }

    /// <summary>
    /// Plugs a backend in: ops on tensors of device kind <paramref name="kind"/> run the kernels
    /// <paramref name="kernelsFor"/> returns for their device (called on every op; return a cached instance).
    /// Registering a kind again replaces its kernels.
    /// </summary>
    public static void Register(DeviceKind kind, Func<Device, IKernels> kernelsFor)
    {
        ArgumentNullException.ThrowIfNull(kernelsFor);
        if (kind == DeviceKind.Cpu) throw new ArgumentException("the CPU kernels are built in; register kernels only for other device kinds", nameof(kind));
        lock (RegisterLock) _registered = new Dictionary<DeviceKind, Func<Device, IKernels>>(_registered) { [kind] = kernelsFor };
    }

    /// <summary>The kernels for an op whose inputs are <paramref name="tensors"/> (all on one device; checked).</summary>
    public static IKernels For(string op, params ReadOnlySpan<Tensor> tensors)
    {
        if (OpProfiler.Enabled) OpProfiler.Mark(op);
        OpContext.Enter(op);
        OpCheck.SameDevice(op, tensors);
        if (tensors.Length > 0 && tensors[0].Device.Kind != DeviceKind.Cpu) return DeviceKernels(op, tensors);
        foreach (var t in tensors)
            if (t.DType == DType.Float64) return ReferenceKernels;
        return _forced == KernelBackend.Reference ? ReferenceKernels : CpuKernels;
    }

    private static IKernels DeviceKernels(string op, ReadOnlySpan<Tensor> tensors)
    {
        var device = tensors[0].Device;
        foreach (var t in tensors)
            if (t.DType == DType.Float64)
                throw new NotSupportedException($"{op}: {t.Describe()}: the kernels on {device} are float32 (run float64 on the cpu)");
        if (!_registered.TryGetValue(device.Kind, out var kernelsFor))
            throw new NotSupportedException($"{op}: no kernels are registered for device {device} (its backend calls Backend.Register when it starts)");
        return kernelsFor(device);
    }

    private sealed class Restore(KernelBackend? previous) : IDisposable
    {
        public void Dispose() => _forced = previous;
    }
}
