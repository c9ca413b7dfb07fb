using System.Diagnostics;

using NeuralCore.Kernels.Gpu;
using NeuralCore.Tensors;

namespace NeuralCore.Bench.Gpu;

/// <summary>
/// Part of `gpu-check`: host&lt;-&gt;device copies through page-locked staging and the loader's copy-stream uploads on a
/// real device (the tests run them on the emulator only, where CUDA's per-thread context and real stream concurrency
/// do not exist), and on CUDA a measurement of whether a copy-stream upload overlaps a GEMM on the compute stream.
/// </summary>
internal static class TransferCheck
{
    /// <summary>What went wrong, one line each (empty when every transfer kept its bits).</summary>
    public static List<string> Problems(GpuDevice device)
    {
        var problems = new List<string>();
        foreach (int count in new[] { 1, 1001, PinnedStaging.ChunkBytes / sizeof(int) + 777 })
        {
            var values = Pattern(count);
            using var host = Tensor.FromArray(values, [count]);
            using var onDevice = host.To(device.Device);
            if (!onDevice.ToArray<int>().AsSpan().SequenceEqual(values)) problems.Add($"round trip of {count} int32 through staging changed the data");
        }
        // A loader's producer is a thread of its own, with no CUDA context current until ILGPU binds one.
        var expected = Pattern(32 * 128 * 128);
        Tensor? uploaded = null;
        Exception? failure = null;
        var producer = new Thread(() =>
        {
            try
            {
                using var uploader = new BackgroundUploader(device.Device);
                using var block = uploader.Rent(expected.Length * sizeof(int));
                expected.CopyTo(block.Span<int>(expected.Length));
                uploaded = uploader.Upload(block, [32, 128, 128], DType.Int32);
                uploader.Complete();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        producer.Start();
        producer.Join();
        if (failure is not null) problems.Add($"copy-stream upload from a producer thread: {failure.GetType().Name}: {failure.Message}");
        else if (!uploaded!.ToArray<int>().AsSpan().SequenceEqual(expected)) problems.Add("copy-stream upload from a producer thread changed the data");
        uploaded?.Dispose();
        return problems;
    }

    /// <summary>
    /// Milliseconds of a 64 MiB copy-stream upload alone, a 4096^3 GEMM alone, and both queued at once: the copy
    /// overlaps compute when "both" stays near the larger of the two rather than their sum.
    /// </summary>
    public static string Overlap(GpuDevice device)
    {
        const int n = 4096, reps = 5;
        int words = PinnedStaging.ChunkBytes / sizeof(float);
        using var a = Tensor.Full([n, n], 0.5, DType.Float32, device.Device);
        using var b = Tensor.Full([n, n], 0.25, DType.Float32, device.Device);
        using var uploader = new BackgroundUploader(device.Device);
        using var block = uploader.Rent(words * sizeof(float));
        block.Span<float>(words).Fill(1f);
        double Time(bool gemm, bool copy)
        {
            var times = new List<double>();
            for (int r = 0; r < reps + 1; r++)
            {
                device.Synchronize();
                var clock = Stopwatch.StartNew();
                using var product = gemm ? NeuralCore.Kernels.Ops.Matmul(a, b) : null;
                using var copied = copy ? uploader.Upload(block, [words], DType.Float32) : null;
                uploader.Complete();
                device.Synchronize();
                if (r > 0) times.Add(clock.Elapsed.TotalMilliseconds); // the first round compiles and warms up
            }
            times.Sort();
            return times[times.Count / 2];
        }
        double gemmMs = Time(gemm: true, copy: false), copyMs = Time(gemm: false, copy: true), bothMs = Time(gemm: true, copy: true);
        return $"{device}: 64 MiB copy-stream upload {copyMs:F2} ms, 4096^3 GEMM {gemmMs:F2} ms, both queued at once {bothMs:F2} ms " +
            $"(serial would be {copyMs + gemmMs:F2} ms; overlap hid {Math.Max(0, copyMs + gemmMs - bothMs):F2} ms)";
    }

    private static int[] Pattern(int count)
    {
        var values = new int[count];
        for (int i = 0; i < count; i++) values[i] = i * -1640531535;
        return values;
    }
}
