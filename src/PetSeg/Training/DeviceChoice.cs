using NeuralCore.Kernels.Gpu;
using NeuralCore.Tensors;

namespace PetSeg.Training;

/// <summary>
/// Turns <c>--device auto|cpu|cuda[:N]|emulated</c> into an opened device. "auto" takes the first CUDA GPU when one
/// is usable, else the CPU, and says which it took and why.
/// </summary>
public static class DeviceChoice
{
    public const string Auto = "auto";

    /// <summary>The device, and a line for the console saying what was chosen.</summary>
    public static (Device Device, string Line) Resolve(string spec)
    {
        if (spec.Trim().Equals(Auto, StringComparison.OrdinalIgnoreCase))
        {
            if (GpuDevices.CudaUnavailableReason() is { } reason) return (Device.Cpu, $"device: cpu (auto: {reason})");
            var gpu = GpuDevices.Open(Device.Cuda(0));
            return (gpu.Device, $"device: {gpu} (auto)");
        }
        var device = Device.Parse(spec);
        if (!device.IsGpu) return (device, "device: cpu");
        // Opening checks the driver and the index now: a missing GPU fails before any data is prepared.
        var opened = GpuDevices.Open(device);
        return (device, device.Kind == DeviceKind.Emulated
            ? "device: emulated (the GPU kernels on ILGPU's CPU accelerator: for tests, about 1,000x slower than cpu)"
            : $"device: {opened}");
    }

    /// <summary>Whether <paramref name="spec"/> names a device this command line accepts (checked at parse time).</summary>
    public static bool IsValid(string spec)
    {
        if (spec.Trim().Equals(Auto, StringComparison.OrdinalIgnoreCase)) return true;
        try
        {
            Device.Parse(spec);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
