using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Implicit-GEMM convolution: C [M, N] = A [M, K] * B [K, N] where A is a <see cref="ConvRowSource"/> (im2col rows
/// gathered straight into the packed A panels, never materialised) and C rows go wherever a <see cref="ConvRowSink"/>
/// says. Same blocking as <see cref="GemmDriver"/> and the same micro-kernels: B (the weights, small) is packed once
/// for all of K and N; each thread takes a contiguous range of MR-row tiles and, per MC block and depth block, packs
/// A into its own buffer and sweeps every column panel. Each C element is summed by one thread in a fixed order, so
/// the result does not depend on the thread count.
/// </summary>
internal static unsafe class ConvGemm
{
    /// <summary>Depth blocking of a K-deep product: blocks of equal size, none over <see cref="GemmBlocking.KC"/>.</summary>
    public static int DepthStep(int k) => CeilDiv(k, CeilDiv(k, GemmBlocking.KC));

    public static int CeilDiv(int x, int y) => (x + y - 1) / y;

    /// <summary>Floats of B [k x n] packed for <paramref name="kernel"/> (whole column panels).</summary>
    private static long PackedBFloats(in GemmKernelInfo kernel, int k, int n) => (long)k * CeilDiv(n, kernel.NR) * kernel.NR;

    /// <summary>Packs B [k x n] from <paramref name="source"/> in the layout <see cref="RowsWork"/> reads: depth
    /// block p0 at dst + p0*panels*NR, its panel q at + q*kc*NR, each kc rows of NR floats (zero beyond n).</summary>
    private static void PackB<TSource>(in GemmKernelInfo kernel, TSource source, int k, int n, float* dst)
        where TSource : struct, IConvBSource
    {
        int kcStep = DepthStep(k);
        var work = new PackBWork<TSource>
        {
            Source = source, Kernel = kernel, K = k, N = n, KcStep = kcStep, Panels = CeilDiv(n, kernel.NR), Dst = dst,
        };
        CpuParallel.For(CeilDiv(k, kcStep) * work.Panels, ref work);
    }

    /// <summary>C rows of <paramref name="c"/> = A rows of <paramref name="a"/> * B [a.K, n], B read from
    /// <paramref name="b"/> and packed first.</summary>
    public static void RunRows<TSource>(in GemmKernelInfo kernel, in ConvRowSource a, TSource b, int n, in ConvRowSink c)
        where TSource : struct, IConvBSource
    {
        int threads = CpuParallel.ThreadCount;
        GemmWorkspace workspace = GemmWorkspace.Rent(PackedBFloats(kernel, a.K, n), threads,
            (long)kernel.McTiles * kernel.MR * GemmBlocking.KC);
        try
        {
            PackB(kernel, b, a.K, n, workspace.PackedB);
            var work = new RowsWork
            {
                Kernel = kernel, A = a, C = c, PackedB = workspace.PackedB, N = n, K = a.K, M = a.M,
                KcStep = DepthStep(a.K), Panels = CeilDiv(n, kernel.NR), Workspace = workspace,
            };
            CpuParallel.For(CeilDiv(a.M, kernel.MR), ref work);
        }
        finally
        {
            GemmWorkspace.Return(workspace);
        }
    }

    /// <summary>Adds (beta 1) or stores (beta 0) a micro-kernel tile computed into a scratch buffer to C rows
    /// <paramref name="rows"/>[r] + j: for partial tiles and tiles whose rows are not evenly spaced.</summary>
    public static void Merge(float* tile, int nr, float** rows, int count, int j, int cols, float beta)
    {
        if (Vector512.IsHardwareAccelerated) Merge<Simd512, Vector512<float>>(tile, nr, rows, count, j, cols, beta);
        else Merge<Simd256, Vector256<float>>(tile, nr, rows, count, j, cols, beta);
    }

    private static void Merge<S, V>(float* tile, int nr, float** rows, int count, int j, int cols, float beta)
        where S : struct, ISimd<V> where V : struct
    {
        for (int r = 0; r < count; r++)
        {
            float* t = tile + r * nr, c = rows[r] + j;
            int x = 0;
            if (beta == 0f)
            {
                for (; x + S.Count <= cols; x += S.Count) S.Store(S.Load(t + x), c + x);
                for (; x < cols; x++) c[x] = t[x];
            }
            else
            {
                for (; x + S.Count <= cols; x += S.Count) S.Store(S.Add(S.Load(t + x), S.Load(c + x)), c + x);
                for (; x < cols; x++) c[x] += t[x];
            }
        }
    }

    private struct PackBWork<TSource> : IWorkItem where TSource : struct, IConvBSource
    {
        public TSource Source;
        public GemmKernelInfo Kernel;
        public int K, N, KcStep, Panels;
        public float* Dst;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            int nr = Kernel.NR;
            for (int u = start; u < end; u++)
            {
                int block = u / Panels, q = u % Panels;
                int p0 = block * KcStep, kc = Math.Min(KcStep, K - p0);
                int j0 = q * nr, valid = Math.Min(nr, N - j0);
                float* panel = Dst + (long)p0 * Panels * nr + (long)q * kc * nr;
                if (valid < nr) new Span<float>(panel, kc * nr).Clear();
                Source.Pack(p0, kc, j0, valid, nr, panel);
            }
        }
    }

    /// <summary>Computes the C rows of a range of row tiles.</summary>
    private struct RowsWork : IWorkItem
    {
        public GemmKernelInfo Kernel;
        public ConvRowSource A;
        public ConvRowSink C;
        public float* PackedB;
        public int N, K, M, KcStep, Panels;
        public GemmWorkspace Workspace;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Execute(int start, int end, int threadIndex)
        {
            int mr = Kernel.MR, nr = Kernel.NR, kcMax = GemmBlocking.KC;
            float* packedA = Workspace.PackedA(threadIndex);
            var kernel = Kernel.RowsKernel;
            float* edge = stackalloc float[mr * nr];
            float** rowPtr = stackalloc float*[Kernel.McTiles * mr];
            long* tileLd = stackalloc long[Kernel.McTiles];
            for (int tile0 = start; tile0 < end; tile0 += Kernel.McTiles)
            {
                int tiles = Math.Min(Kernel.McTiles, end - tile0);
                int i0 = tile0 * mr;
                int rows = Math.Min(tiles * mr, M - i0);
                for (int r = 0; r < rows; r++) rowPtr[r] = C.Row(i0 + r);
                for (int t = 0; t < tiles; t++) tileLd[t] = UniformStride(rowPtr + t * mr, Math.Min(mr, rows - t * mr), mr);
                for (int p0 = 0; p0 < K; p0 += KcStep)
                {
                    int kc = Math.Min(KcStep, K - p0);
                    float beta = p0 == 0 ? 0f : 1f;
                    for (int r = 0; r < tiles * mr; r++)
                    {
                        if (r < rows) A.CopyRow(i0 + r, p0, kc, packedA + r * kcMax);
                        else new Span<float>(packedA + r * kcMax, kc).Clear();
                    }
                    float* bBlock = PackedB + (long)p0 * Panels * nr;
                    for (int q = 0; q < Panels; q++)
                    {
                        float* bPanel = bBlock + (long)q * kc * nr;
                        int j = q * nr, validCols = Math.Min(nr, N - j);
                        for (int t = 0; t < tiles; t++)
                        {
                            float* aPanel = packedA + t * mr * kcMax;
                            long ld = tileLd[t];
                            if (ld != 0 && validCols == nr)
                            {
                                kernel(kc, aPanel, bPanel, rowPtr[t * mr] + j, (int)ld, 1f, beta);
                            }
                            else
                            {
                                kernel(kc, aPanel, bPanel, edge, nr, 1f, 0f);
                                Merge(edge, nr, rowPtr + t * mr, Math.Min(mr, rows - t * mr), j, validCols, beta);
                            }
                        }
                    }
                }
            }
        }

        /// <summary>The row stride of a full tile whose rows are evenly spaced in C (the micro-kernel can then write
        /// them directly), else 0.</summary>
        private static long UniformStride(float** rows, int count, int mr)
        {
            if (count != mr) return 0;
            long ld = rows[1] - rows[0];
            if (ld <= 0 || ld > int.MaxValue) return 0;
            for (int r = 2; r < count; r++)
                if (rows[r] - rows[0] != r * ld) return 0;
            return ld;
        }
    }
}

/// <summary>Writes one packed B micro-panel: rows p0 .. p0+kc of B, columns j0 .. j0+valid, rows NR floats apart
/// (the columns past <c>valid</c> are already zero).</summary>
internal unsafe interface IConvBSource
{
    void Pack(int p0, int kc, int j0, int valid, int nr, float* dst);
}

/// <summary>B stored densely, row-major [K, N] with row stride <c>ld</c> (conv2d's HWIO weight is exactly
/// the forward's B [KH*KW*Cin, Cout]).</summary>
internal readonly unsafe struct DenseB(float* b, int ld) : IConvBSource
{
    public void Pack(int p0, int kc, int j0, int valid, int nr, float* dst)
    {
        float* src = b + (long)p0 * ld + j0;
        for (int p = 0; p < kc; p++, src += ld, dst += nr)
            new ReadOnlySpan<float>(src, valid).CopyTo(new Span<float>(dst, valid));
    }
}

/// <summary>
/// The input-gradient pass's B [Taps*OutC, InC] for one stride phase: row (t, co), column ci is the weight
/// w[tap weightTaps[t], ci, co] of the HWIO weight [KH, KW, InC, OutC], i.e. each used tap's [InC, OutC] matrix
/// transposed. Read along co (contiguous) and written NR floats apart.
/// </summary>
internal readonly unsafe struct TapTransposedB(float* w, int inC, int outC, int* weightTaps) : IConvBSource
{
    public void Pack(int p0, int kc, int j0, int valid, int nr, float* dst)
    {
        for (int j = 0; j < valid; j++)
        {
            for (int p = p0; p < p0 + kc;)
            {
                int tap = p / outC, co = p - tap * outC;
                int length = Math.Min(outC - co, p0 + kc - p);
                float* src = w + ((long)weightTaps[tap] * inC + j0 + j) * outC + co;
                float* d = dst + (long)(p - p0) * nr + j;
                for (int x = 0; x < length; x++) d[(long)x * nr] = src[x];
                p += length;
            }
        }
    }
}
