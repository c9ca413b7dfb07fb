using System.CommandLine;
using System.Runtime.Intrinsics.X86;
using NeuralCore.Kernels.Gpu;

namespace PetSeg.Cli;

/// <summary><c>petseg devices</c>: what --device can name here: the CPU, the CUDA GPUs (or why there are none), the emulator.</summary>
internal static class DevicesCommand
{
    public static Command Create(CliIO io)
    {
        var command = new Command("devices", "List the devices --device can use here (cpu, CUDA GPUs, the emulator)");
        command.SetAction(_ =>
        {
            io.Out.WriteLine($"cpu        {Environment.ProcessorCount} threads, {SimdWidth()} (the default when no CUDA GPU is usable)");
            if (GpuDevices.CudaUnavailableReason() is { } reason) io.Out.WriteLine($"cuda       none: {reason}");
            foreach (var d in GpuDevices.List())
            {
                string memory = d.MemoryBytes > 0 ? $", {d.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB" : "";
                string capability = d.ComputeCapability == "-" ? "" : $", {d.ComputeCapability}";
                io.Out.WriteLine($"{d.Device,-10} {d.Name}{memory}{capability}, warp {d.WarpSize}");
            }
            return PetSegCli.ExitOk;
        });
        return command;
    }

    private static string SimdWidth() =>
        Avx512F.IsSupported ? "AVX-512" : Avx2.IsSupported ? "AVX2" : "SSE (no AVX2: the Cpu kernels run their narrow paths)";
}
