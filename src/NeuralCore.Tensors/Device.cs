namespace NeuralCore.Tensors;

public enum DeviceKind
{
    Cpu,

    /// <summary>An NVIDIA GPU driven through ILGPU's CUDA accelerator.</summary>
    Cuda,

    /// <summary>
    /// ILGPU's CPU accelerator running the very same GPU kernels (groups, barriers, shared memory and warp shuffles
    /// emulated, warp size 32): how the GPU backend is tested on machines without a GPU. About 1,000x slower than
    /// the Cpu backend.
    /// </summary>
    Emulated,
}

/// <summary>Where a tensor's storage lives. Ops refuse inputs on different devices (named error, no silent copy).</summary>
public readonly record struct Device(DeviceKind Kind, int Index = 0)
{
    public static readonly Device Cpu = new(DeviceKind.Cpu);

    public static readonly Device Emulated = new(DeviceKind.Emulated);

    public static Device Cuda(int index = 0) => new(DeviceKind.Cuda, index);

    /// <summary>True for the devices the GPU kernels run on (CUDA and the emulator).</summary>
    public bool IsGpu => Kind != DeviceKind.Cpu;

    /// <summary>Parses "cpu", "cuda", "cuda:N" or "emulated" (the spellings of <see cref="ToString"/>).</summary>
    public static Device Parse(string text)
    {
        string s = text.Trim().ToLowerInvariant();
        if (s == "cpu") return Cpu;
        if (s == "emulated") return Emulated;
        if (s == "cuda") return Cuda();
        if (s.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(s.AsSpan(5), out int index) && index >= 0) return Cuda(index);
        throw new FormatException($"unknown device '{text}': expected cpu, cuda, cuda:N or emulated");
    }

    public override string ToString() => Kind switch
    {
        DeviceKind.Cpu => "cpu",
        DeviceKind.Emulated => "emulated",
        _ => $"cuda:{Index}",
    };
}
