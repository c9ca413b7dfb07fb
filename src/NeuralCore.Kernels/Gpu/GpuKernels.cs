namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// The GPU backend: every kernel of the engine as ILGPU kernels, one file per op in this folder (named as the op),
/// each adding its part of this partial class. The same kernels run on CUDA cards and on the emulator.
/// </summary>
public sealed partial class GpuKernels : IKernels
{
    internal GpuKernels(GpuDevice device) => Device = device;

    internal GpuDevice Device { get; }

    private Exception Pending(string kernel) => new NotSupportedException($"{kernel}: no GPU kernel yet on {Device.Device}");
}
