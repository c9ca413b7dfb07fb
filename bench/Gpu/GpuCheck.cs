using NeuralCore.Kernels;
using NeuralCore.Kernels.Catalog;
using NeuralCore.Kernels.Gpu;
using NeuralCore.Tensors;

namespace NeuralCore.Bench.Gpu;

/// <summary>
/// `bench -- gpu-check [--device cuda]`: the GPU conformance of the test suite on a real device (no .NET SDK needed
/// there): every catalog case, small and large, on the device against the Reference kernels on the host, then the
/// host&lt;-&gt;device transfers (<see cref="TransferCheck"/>). Prints one line per failing case and a summary; exits
/// non-zero when any case fails. On CUDA it also prints whether a copy-stream upload overlaps a GEMM.
/// </summary>
public static class GpuCheck
{
    public static void Run(string[] args)
    {
        var device = GpuDevices.Open(BenchArgs.Option(args, "--device") ?? "cuda");
        int passed = 0, failed = 0;
        foreach (var op in OpCatalog.All)
            foreach (var opCase in op.Cases.Where(c => !c.Bench))
            {
                string? problem;
                try
                {
                    using var scope = TensorScope.Begin();
                    problem = DeviceConformance.Check(op, opCase, device.Device);
                }
                catch (Exception e)
                {
                    problem = $"{e.GetType().Name}: {e.Message}";
                }
                if (problem is null) passed++;
                else
                {
                    failed++;
                    Console.WriteLine($"FAIL {op.Name} [{opCase}]: {problem}");
                }
            }
        foreach (var problem in TransferCheck.Problems(device))
        {
            failed++;
            Console.WriteLine($"FAIL transfers: {problem}");
        }
        Console.WriteLine($"{device}: {passed} cases passed, {failed} failed");
        if (device.Device.Kind == DeviceKind.Cuda) Console.WriteLine(TransferCheck.Overlap(device));
        if (failed > 0) Environment.Exit(1);
    }
}
