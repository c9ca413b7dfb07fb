using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// The wide AVX-512 micro-kernel: a 6 x 64 tile of C in 24 zmm accumulators; per depth step four B vector loads,
/// 6 broadcasts of A and 24 FMAs, i.e. 0.42 loads per FMA against 0.57 for the 14 x 32 kernel. This core's load
/// ports are the second bottleneck after the two FMA pipes, and 2048^3 runs 3-5% faster with this shape. The B
/// micro-panel (KC x 64 floats = 64 KiB) outgrows L1 but streams from L2 without loss (measured at KC 128-256).
/// Written out by hand (generated once by a throw-away script) because the JIT only keeps named locals in registers.
/// </summary>
[SkipLocalsInit]
internal static unsafe class GemmKernel512Wide
{
    public const int MR = 6;
    public const int NR = 64;

    /// <summary>C[MR x NR] = alpha * Apanel[MR x kc] * Bpanel[kc x NR] + beta * C; beta == 0 never reads C.</summary>
    /// <param name="a">Packed A micro-panel in layout <typeparamref name="TA"/>.</param>
    /// <param name="b">Packed B micro-panel: kc rows of NR floats, 64-byte aligned.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a first call must not run unoptimised code
    public static void Run<TA>(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
        where TA : struct, IPackedALayout
    {
        Vector512<float> c0a = default, c0b = default, c0c = default, c0d = default;
        Vector512<float> c1a = default, c1b = default, c1c = default, c1d = default;
        Vector512<float> c2a = default, c2b = default, c2c = default, c2d = default;
        Vector512<float> c3a = default, c3b = default, c3c = default, c3d = default;
        Vector512<float> c4a = default, c4b = default, c4c = default, c4d = default;
        Vector512<float> c5a = default, c5b = default, c5c = default, c5d = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.LoadAligned(b + 0), b1 = Vector512.LoadAligned(b + 16), b2 = Vector512.LoadAligned(b + 32), b3 = Vector512.LoadAligned(b + 48);
            Vector512<float> x;
            x = Vector512.Create(a[0 * TA.RowStride]); c0a = Vector512.FusedMultiplyAdd(x, b0, c0a); c0b = Vector512.FusedMultiplyAdd(x, b1, c0b); c0c = Vector512.FusedMultiplyAdd(x, b2, c0c); c0d = Vector512.FusedMultiplyAdd(x, b3, c0d);
            x = Vector512.Create(a[1 * TA.RowStride]); c1a = Vector512.FusedMultiplyAdd(x, b0, c1a); c1b = Vector512.FusedMultiplyAdd(x, b1, c1b); c1c = Vector512.FusedMultiplyAdd(x, b2, c1c); c1d = Vector512.FusedMultiplyAdd(x, b3, c1d);
            x = Vector512.Create(a[2 * TA.RowStride]); c2a = Vector512.FusedMultiplyAdd(x, b0, c2a); c2b = Vector512.FusedMultiplyAdd(x, b1, c2b); c2c = Vector512.FusedMultiplyAdd(x, b2, c2c); c2d = Vector512.FusedMultiplyAdd(x, b3, c2d);
            x = Vector512.Create(a[3 * TA.RowStride]); c3a = Vector512.FusedMultiplyAdd(x, b0, c3a); c3b = Vector512.FusedMultiplyAdd(x, b1, c3b); c3c = Vector512.FusedMultiplyAdd(x, b2, c3c); c3d = Vector512.FusedMultiplyAdd(x, b3, c3d);
            x = Vector512.Create(a[4 * TA.RowStride]); c4a = Vector512.FusedMultiplyAdd(x, b0, c4a); c4b = Vector512.FusedMultiplyAdd(x, b1, c4b); c4c = Vector512.FusedMultiplyAdd(x, b2, c4c); c4d = Vector512.FusedMultiplyAdd(x, b3, c4d);
            x = Vector512.Create(a[5 * TA.RowStride]); c5a = Vector512.FusedMultiplyAdd(x, b0, c5a); c5b = Vector512.FusedMultiplyAdd(x, b1, c5b); c5c = Vector512.FusedMultiplyAdd(x, b2, c5c); c5d = Vector512.FusedMultiplyAdd(x, b3, c5d);
            a += TA.KStride;
            b += NR;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            (c0a * va).Store(c + 0 * ldc + 0); (c0b * va).Store(c + 0 * ldc + 16); (c0c * va).Store(c + 0 * ldc + 32); (c0d * va).Store(c + 0 * ldc + 48);
            (c1a * va).Store(c + 1 * ldc + 0); (c1b * va).Store(c + 1 * ldc + 16); (c1c * va).Store(c + 1 * ldc + 32); (c1d * va).Store(c + 1 * ldc + 48);
            (c2a * va).Store(c + 2 * ldc + 0); (c2b * va).Store(c + 2 * ldc + 16); (c2c * va).Store(c + 2 * ldc + 32); (c2d * va).Store(c + 2 * ldc + 48);
            (c3a * va).Store(c + 3 * ldc + 0); (c3b * va).Store(c + 3 * ldc + 16); (c3c * va).Store(c + 3 * ldc + 32); (c3d * va).Store(c + 3 * ldc + 48);
            (c4a * va).Store(c + 4 * ldc + 0); (c4b * va).Store(c + 4 * ldc + 16); (c4c * va).Store(c + 4 * ldc + 32); (c4d * va).Store(c + 4 * ldc + 48);
            (c5a * va).Store(c + 5 * ldc + 0); (c5b * va).Store(c + 5 * ldc + 16); (c5c * va).Store(c + 5 * ldc + 32); (c5d * va).Store(c + 5 * ldc + 48);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Update(c + 0 * ldc + 0, c0a, va, vb); Update(c + 0 * ldc + 16, c0b, va, vb); Update(c + 0 * ldc + 32, c0c, va, vb); Update(c + 0 * ldc + 48, c0d, va, vb);
            Update(c + 1 * ldc + 0, c1a, va, vb); Update(c + 1 * ldc + 16, c1b, va, vb); Update(c + 1 * ldc + 32, c1c, va, vb); Update(c + 1 * ldc + 48, c1d, va, vb);
            Update(c + 2 * ldc + 0, c2a, va, vb); Update(c + 2 * ldc + 16, c2b, va, vb); Update(c + 2 * ldc + 32, c2c, va, vb); Update(c + 2 * ldc + 48, c2d, va, vb);
            Update(c + 3 * ldc + 0, c3a, va, vb); Update(c + 3 * ldc + 16, c3b, va, vb); Update(c + 3 * ldc + 32, c3c, va, vb); Update(c + 3 * ldc + 48, c3d, va, vb);
            Update(c + 4 * ldc + 0, c4a, va, vb); Update(c + 4 * ldc + 16, c4b, va, vb); Update(c + 4 * ldc + 32, c4c, va, vb); Update(c + 4 * ldc + 48, c4d, va, vb);
            Update(c + 5 * ldc + 0, c5a, va, vb); Update(c + 5 * ldc + 16, c5b, va, vb); Update(c + 5 * ldc + 32, c5c, va, vb); Update(c + 5 * ldc + 48, c5d, va, vb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector512<float> acc, Vector512<float> alpha, Vector512<float> beta) =>
        Vector512.FusedMultiplyAdd(acc, alpha, Vector512.Load(c) * beta).Store(c);
}
