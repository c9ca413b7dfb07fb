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
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, DropoutLaunch>> Mask =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, DropoutLaunch>(MaskKernel));

    [GpuKernel]
    internal static void MaskKernel(Index1D block, ArrayView<float> x, ArrayView<float> y, DropoutLaunch p)
    {
        // Philox.Block(seed, offset + block): the counter's high word takes the carry of the 64-bit add.
        ulong counter = p.Offset + (ulong)(int)block;
        uint k0 = (uint)p.Seed, k1 = (uint)(p.Seed >> 32);
        uint c0 = (uint)counter, c1 = (uint)(counter >> 32), c2 = 0, c3 = 0;
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
            uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            c1 = (uint)p1;
            c3 = (uint)p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        int i = block * 4;
        Keep(x, y, p, i, c0);
        if (i + 1 < p.Count) Keep(x, y, p, i + 1, c1);
        if (i + 2 < p.Count) Keep(x, y, p, i + 2, c2);
        if (i + 3 < p.Count) Keep(x, y, p, i + 3, c3);
    }

    private static void Keep(ArrayView<float> x, ArrayView<float> y, DropoutLaunch p, int i, uint word) =>
        y[i] = (int)(word >> 8) >= p.Threshold ? x[i] * p.KeepScale : 0f;
}
