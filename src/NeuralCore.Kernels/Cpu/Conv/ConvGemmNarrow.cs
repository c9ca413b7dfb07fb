using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Implicit-GEMM convolution for a result only a few channels wide (C [M, N], N &lt;= <see cref="MaxN"/>), such as
/// the last transposed convolution of a U-Net that writes 3 class logits. The register-tiled GEMM pads N to its
/// 32-wide panel there and wastes over 90% of its multiplies; here each A row is gathered once and dotted with the
/// N columns of B, vectorised along K, <see cref="RowsPerGroup"/> rows at a time so every B load feeds several rows.
/// Each C element is one row's dot product in a fixed order, so the result does not depend on the thread count.
/// </summary>
internal static unsafe class ConvGemmNarrow
{
    /// <summary>The widest result this path takes; wider ones go to <see cref="ConvGemm"/>.</summary>
    public const int MaxN = 4;

    private const int RowsPerGroup = 4;

    /// <summary>C rows of <paramref name="c"/> = A rows of <paramref name="a"/> * B [a.K, n], n &lt;= <see cref="MaxN"/>.</summary>
    public static void RunRows<TSource>(in ConvRowSource a, TSource b, int n, in ConvRowSink c)
        where TSource : struct, IConvBSource
    {
        if ((uint)n - 1 >= MaxN) throw new ArgumentOutOfRangeException(nameof(n), n, $"narrow conv GEMM takes 1..{MaxN} result columns");
        int k = a.K, kPadded = ConvGemm.CeilDiv(k, Vector512<float>.Count) * Vector512<float>.Count;
        int threads = CpuParallel.ThreadCount;
        // B^T [n, kPadded] and, per thread, RowsPerGroup gathered A rows; the padding stays zero in both.
        GemmWorkspace workspace = GemmWorkspace.Rent((long)MaxN * kPadded, threads, (long)RowsPerGroup * kPadded);
        try
        {
            float* bt = workspace.PackedB;
            new Span<float>(bt, MaxN * kPadded).Clear();
            for (int j = 0; j < n; j++) b.Pack(0, k, j, 1, 1, bt + (long)j * kPadded);
            var work = new NarrowRowsWork { A = a, C = c, BT = bt, N = n, KPadded = kPadded, Workspace = workspace };
            CpuParallel.For(ConvGemm.CeilDiv(a.M, RowsPerGroup), (long)a.M * k, ref work);
        }
        finally
        {
            GemmWorkspace.Return(workspace);
        }
    }

    private struct NarrowRowsWork : IWorkItem
    {
        public ConvRowSource A;
        public ConvRowSink C;
        public float* BT;
        public int N, KPadded;
        public GemmWorkspace Workspace;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Execute(int start, int end, int threadIndex)
        {
            float* rows = Workspace.PackedA(threadIndex);
            int k = A.K;
            for (int r = 0; r < RowsPerGroup; r++) new Span<float>(rows + (long)r * KPadded + k, KPadded - k).Clear();
            float* sums = stackalloc float[RowsPerGroup * MaxN];
            for (int group = start; group < end; group++)
            {
                int m0 = group * RowsPerGroup, count = Math.Min(RowsPerGroup, A.M - m0);
                for (int r = 0; r < count; r++) A.CopyRow(m0 + r, 0, k, rows + (long)r * KPadded);
                for (int r = count; r < RowsPerGroup; r++) new Span<float>(rows + (long)r * KPadded, k).Clear();
                if (Vector512.IsHardwareAccelerated) Dots<Simd512, Vector512<float>>(rows, BT, N, KPadded, sums);
                else Dots<Simd256, Vector256<float>>(rows, BT, N, KPadded, sums);
                for (int r = 0; r < count; r++)
                {
                    float* dst = C.Row(m0 + r);
                    for (int j = 0; j < N; j++) dst[j] = sums[r * MaxN + j];
                }
            }
        }
    }

    /// <summary>sums[r*MaxN + j] = rows[r] . bt[j] over <paramref name="length"/> floats (a multiple of 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dots<S, V>(float* rows, float* bt, int n, int length, float* sums)
        where S : struct, ISimd<V> where V : struct
    {
        for (int j = 0; j < n; j++)
        {
            float* column = bt + (long)j * length;
            V s0 = S.Zero, s1 = S.Zero, s2 = S.Zero, s3 = S.Zero;
            for (int p = 0; p < length; p += S.Count)
            {
                V w = S.Load(column + p);
                s0 = S.FusedMultiplyAdd(S.Load(rows + p), w, s0);
                s1 = S.FusedMultiplyAdd(S.Load(rows + length + p), w, s1);
                s2 = S.FusedMultiplyAdd(S.Load(rows + 2L * length + p), w, s2);
                s3 = S.FusedMultiplyAdd(S.Load(rows + 3L * length + p), w, s3);
            }
            sums[j] = S.Sum(s0);
            sums[MaxN + j] = S.Sum(s1);
            sums[2 * MaxN + j] = S.Sum(s2);
            sums[3 * MaxN + j] = S.Sum(s3);
        }
    }
}
