using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

using NeuralCore.Tensors;

using Device = NeuralCore.Tensors.Device;
using NeuralCore.Tensors.Memory;

using IlgpuDevice = ILGPU.Runtime.Device;

namespace NeuralCore.Kernels.Gpu;

/// <summary>What <see cref="GpuDevices.List"/> reports about one device.</summary>
public sealed record GpuDeviceInfo(Device Device, string Name, long MemoryBytes, string ComputeCapability, int WarpSize);

/// <summary>
/// Opens GPU devices: CUDA cards through ILGPU's CUDA accelerator, and the emulator (ILGPU's CPU accelerator with
/// warp size 32 and groups of up to 256 threads, like a CUDA card, so the same launch shapes and warp code run).
/// One ILGPU context serves the process; each device is opened once and kept.
/// </summary>
public static class GpuDevices
{
    /// <summary>The emulator's shape: 32 lanes per warp, 8 warps per group, one multiprocessor.</summary>
    private static readonly CPUDevice EmulatorShape = new(numThreadsPerWarp: 32, numWarpsPerMultiprocessor: 8, numMultiprocessors: 1);

    private static readonly Lazy<Context> SharedContext = new(CreateContext);
    private static readonly Dictionary<Device, GpuDevice> Opened = new();

#pragma warning disable CA2255 // a library initializer on purpose: tensors must find the GPU runtime without an explicit registration call
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterWithTensors()
    {
        DeviceRuntimes.Register(DeviceKind.Cuda, Open);
        DeviceRuntimes.Register(DeviceKind.Emulated, Open);
        Backend.Register(DeviceKind.Cuda, device => Open(device).Kernels);
        Backend.Register(DeviceKind.Emulated, device => Open(device).Kernels);
    }

    /// <summary>The device, opened on first use. Throws <see cref="GpuUnavailableException"/> with a one-line reason.</summary>
    public static GpuDevice Open(Device device)
    {
        if (!device.IsGpu) throw new ArgumentException($"{device} is not a GPU device");
        lock (Opened)
        {
            if (Opened.TryGetValue(device, out var open)) return open;
            var accelerator = device.Kind == DeviceKind.Emulated
                ? EmulatorShape.CreateAccelerator(SharedContext.Value)
                : CudaDevice(device).CreateAccelerator(SharedContext.Value);
            return Opened[device] = new GpuDevice(device, accelerator);
        }
    }

    /// <summary>Parses and opens "cuda", "cuda:N" or "emulated".</summary>
    public static GpuDevice Open(string device) => Open(Device.Parse(device));

    /// <summary>The CUDA cards this process can use, then the emulator.</summary>
    public static IReadOnlyList<GpuDeviceInfo> List()
    {
        var found = new List<GpuDeviceInfo>();
        if (CudaDriverLoadable())
        {
            var cards = CudaCards();
            for (int i = 0; i < cards.Count; i++)
            {
                var c = cards[i];
                found.Add(new GpuDeviceInfo(Device.Cuda(i), c.Name, c.MemorySize, CapabilityOf(c), c.WarpSize));
            }
        }
        found.Add(new GpuDeviceInfo(Device.Emulated, "ILGPU CPU accelerator (runs the GPU kernels on the CPU, for tests)",
            0, "-", EmulatorShape.WarpSize));
        return found;
    }

    /// <summary>Why no CUDA card can be used, or null when one can: what `--device cuda` and `devices` print.</summary>
    public static string? CudaUnavailableReason()
    {
        if (!CudaDriverLoadable()) return "no CUDA driver found (libcuda could not be loaded)";
        return CudaCards().Count == 0 ? "the CUDA driver is installed but reports no GPU" : null;
    }

    private static ILGPU.Runtime.Cuda.CudaDevice CudaDevice(Device device)
    {
        if (CudaUnavailableReason() is { } reason) throw new GpuUnavailableException(device, reason);
        var cards = CudaCards();
        if (device.Index >= cards.Count)
            throw new GpuUnavailableException(device, $"there {(cards.Count == 1 ? "is 1 CUDA GPU" : $"are {cards.Count} CUDA GPUs")} (cuda:0{(cards.Count > 1 ? $"..cuda:{cards.Count - 1}" : "")})");
        return cards[device.Index];
    }

    private static IReadOnlyList<ILGPU.Runtime.Cuda.CudaDevice> CudaCards() =>
        SharedContext.Value.Devices.OfType<ILGPU.Runtime.Cuda.CudaDevice>().ToList();

    private static string CapabilityOf(IlgpuDevice card) =>
        card is ILGPU.Runtime.Cuda.CudaDevice cuda ? $"{cuda.Architecture}" : "-";

    private static bool CudaDriverLoadable()
    {
        string name = OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1";
        if (!NativeLibrary.TryLoad(name, out nint handle)) return false;
        NativeLibrary.Free(handle);
        return true;
    }

    private static Context CreateContext()
    {
        var context = Context.Create(builder => builder.CPU(EmulatorShape).Cuda().EnableAlgorithms().Optimize(OptimizationLevel.O2));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => context.Dispose();
        return context;
    }
}

/// <summary>A GPU device was asked for and cannot be used; the message is one line naming the device and what was found.</summary>
public sealed class GpuUnavailableException(Device device, string reason) : Exception($"--device {device}: {reason}")
{
    public Device Device { get; } = device;
}
