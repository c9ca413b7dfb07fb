using System.Collections.Concurrent;

using ILGPU.Runtime;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// A kernel compiled once per accelerator, on first use: <c>static readonly KernelSlot&lt;Action&lt;...&gt;&gt; X =
/// new(a => a.LoadAutoGroupedStreamKernel&lt;...&gt;(XKernel));</c> then <c>X.On(device.Accelerator)(...)</c>.
/// </summary>
internal sealed class KernelSlot<TLauncher>(Func<Accelerator, TLauncher> load) where TLauncher : Delegate
{
    private readonly ConcurrentDictionary<Accelerator, TLauncher> _loaded = new();

    public TLauncher On(Accelerator accelerator) => _loaded.GetOrAdd(accelerator, load);
}

/// <summary>
/// Marks a GPU kernel method, so that the PTX test compiles every kernel for the CUDA targets.
/// <see cref="Grouped"/>: an explicitly grouped kernel (launched with a group size, using shared memory or warp
/// operations); otherwise an implicitly grouped one whose first parameter is its index.
/// <see cref="Instantiations"/>: the type arguments a generic kernel is compiled with.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class GpuKernelAttribute : Attribute
{
    public bool Grouped { get; init; }

    public Type[] Instantiations { get; init; } = [];
}
