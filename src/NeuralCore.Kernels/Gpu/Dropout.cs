using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// Inverted dropout with the mask of <see cref="Philox"/>4x32-10: one thread per counter block (offset + i / 4), whose
/// four words decide elements 4b .. 4b + 3. The keep test is the CPU's integer form of the reference's
/// "ToUnitFloat(w) &gt;= rate": (w &gt;&gt; 8) &gt;= ceil(rate · 2^24), exact, so the mask is the CPU's bit for bit.
/// </summary>
public sealed partial class GpuKernels
{
    public void Dropout(Tensor x, double rate, ulong seed, ulong offset, Tensor y)
    {
        int n = y.ElementCount;
        if (n == 0) return;
        var p = new DropoutLaunch
        {
            Seed = seed, Offset = offset, Count = n,
            Threshold = rate <= 0 ? 0 : (int)Math.Ceiling(rate * 16777216.0),
            KeepScale = rate < 1 ? (float)(1 / (1 - rate)) : 0f,
        };
        GpuDropout.Mask.On(Device.Accelerator)((n + 3) / 4, Device.View<float>(x), Device.View<float>(y), p);
    }
}

internal struct DropoutLaunch
{
    public ulong Seed, Offset;
    public int Count, Threshold;
    public float KeepScale;
}

internal static class GpuDropout
{
    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, DropoutLaunch>> Mask =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, DropoutLaunch>(MaskKernel));

    [GpuKernel]
    internal static void MaskKernel(Index1D block, ArrayView<float> x, ArrayView<float> y, DropoutLaunch p)
    {
        // The host's own Philox.Block compiles to the kernel (plain uint/ulong arithmetic): one definition of the rounds.
        // The counter's high word takes the carry of the 64-bit add, as on the CPU.
        var (w0, w1, w2, w3) = Philox.Block(p.Seed, p.Offset + (ulong)(int)block);
        int i = block * 4;
        Keep(x, y, p, i, w0);
        if (i + 1 < p.Count) Keep(x, y, p, i + 1, w1);
        if (i + 2 < p.Count) Keep(x, y, p, i + 2, w2);
        if (i + 3 < p.Count) Keep(x, y, p, i + 3, w3);
    }

    private static void Keep(ArrayView<float> x, ArrayView<float> y, DropoutLaunch p, int i, uint word) =>
        y[i] = (int)(word >> 8) >= p.Threshold ? x[i] * p.KeepScale : 0f;
}
