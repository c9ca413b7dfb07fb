using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// The weight gradient as an implicit GEMM: dW [K, N] = A^T [K, P] * D [P, N], where A [P, K] is the forward's
/// im2col matrix (a <see cref="ConvRowSource"/> over the output pixels) and D = dy, dense [P, N]. The sum runs over
/// all P pixels, so rather than splitting it (which would need partial dW buffers and a reduction whose order
/// depends on the thread count), threads split the K rows of dW: each owns a range of MR-row tiles and sweeps all
/// pixels in depth blocks, packing the dy block it needs itself. A^T is packed in the column layout, so each
/// pixel's im2col row is copied once into a small scratch row and dealt out to the micro-panels as whole vectors.
/// </summary>
internal static unsafe class ConvGemmWeightGrad
{
    public static void Run(in GemmKernelInfo kernel, in ConvRowSource a, float* d, int n, float* dw)
    {
        int panels = ConvGemm.CeilDiv(n, kernel.NR);
        int threads = CpuParallel.ThreadCount;
        long aFloats = (long)kernel.McTiles * PanelStride(kernel);
        long bFloats = (long)GemmBlocking.KC * panels * kernel.NR;
        long rowFloats = (long)kernel.McTiles * kernel.MR + Vector512<float>.Count;
        GemmWorkspace workspace = GemmWorkspace.Rent(0, threads, aFloats + bFloats + rowFloats);
        try
        {
            var work = new Work
            {
                Kernel = kernel, A = a, D = d, Dw = dw, N = n, Panels = panels, BOffset = aFloats,
                RowOffset = aFloats + bFloats, Workspace = workspace,
            };
            CpuParallel.For(ConvGemm.CeilDiv(a.K, kernel.MR), ref work);
        }
        finally
        {
            GemmWorkspace.Return(workspace);
        }
    }

    /// <summary>Floats between A micro-panels: one cache line more than a panel. At exactly 16 KiB apart the same
    /// depth step of every panel, which each pixel's deal writes together, would fall in one L1 set (more panels
    /// than the set has ways), so every pixel would evict lines it is still writing.</summary>
    private static int PanelStride(in GemmKernelInfo kernel) =>
        kernel.APanelFloats(transA: true) + Vector512<float>.Count;

    private struct Work : IWorkItem
    {
        public GemmKernelInfo Kernel;
        public ConvRowSource A;
        public float* D, Dw;
        public int N, Panels;
        public long BOffset, RowOffset;
        public GemmWorkspace Workspace;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Execute(int start, int end, int threadIndex)
        {
            int mr = Kernel.MR, nr = Kernel.NR, k = A.K, pixels = A.M;
            int panelFloats = PanelStride(Kernel);
            float* packedA = Workspace.PackedA(threadIndex);
            float* packedB = packedA + BOffset;
            float* row = packedA + RowOffset;
            var kernel = Kernel.ColumnsKernel;
            var dense = new DenseB(D, N);
            float* edge = stackalloc float[mr * nr];
            float** rowPtr = stackalloc float*[mr];
            for (int tile0 = start; tile0 < end; tile0 += Kernel.McTiles)
            {
                int tiles = Math.Min(Kernel.McTiles, end - tile0);
                int i0 = tile0 * mr;
                int rows = Math.Min(tiles * mr, k - i0);
                // Scratch lanes past the block's rows stay zero: they fill the last panel's missing rows.
                new Span<float>(row + rows, tiles * mr - rows + Vector512<float>.Count).Clear();
                for (int p0 = 0; p0 < pixels; p0 += GemmBlocking.KC)
                {
                    int kc = Math.Min(GemmBlocking.KC, pixels - p0);
                    float beta = p0 == 0 ? 0f : 1f;
                    for (int q = 0; q < Panels; q++)
                    {
                        int valid = Math.Min(nr, N - q * nr);
                        float* panel = packedB + (long)q * kc * nr;
                        if (valid < nr) new Span<float>(panel, kc * nr).Clear();
                        dense.Pack(p0, kc, q * nr, valid, nr, panel);
                    }
                    for (int p = 0; p < kc; p++)
                    {
                        A.CopyRow(p0 + p, i0, rows, row);
                        Deal(row, tiles, mr, Kernel.ColumnsKStride, packedA + p * Kernel.ColumnsKStride, panelFloats);
                    }
                    for (int q = 0; q < Panels; q++)
                    {
                        float* bPanel = packedB + (long)q * kc * nr;
                        int j = q * nr, validCols = Math.Min(nr, N - j);
                        for (int t = 0; t < tiles; t++)
                        {
                            float* aPanel = packedA + (long)t * panelFloats;
                            int i = i0 + t * mr, validRows = Math.Min(mr, k - i);
                            float* c = Dw + (long)i * N + j;
                            if (validRows == mr && validCols == nr)
                            {
                                kernel(kc, aPanel, bPanel, c, N, 1f, beta);
                                continue;
                            }
                            kernel(kc, aPanel, bPanel, edge, nr, 1f, 0f);
                            for (int r = 0; r < validRows; r++) rowPtr[r] = Dw + (long)(i + r) * N;
                            ConvGemm.Merge(edge, nr, rowPtr, validRows, j, validCols, beta);
                        }
                    }
                }
            }
        }

        /// <summary>Writes one depth step of every column-layout micro-panel: panel t gets row[t*MR .. t*MR+MR).
        /// When a step is one vector wide (16 floats for the AVX-512 kernel, 8 for the AVX2 one) a whole vector is
        /// stored: the lanes past MR are never read by the kernel.</summary>
        private static void Deal(float* row, int tiles, int mr, int kStride, float* dst, int panelFloats)
        {
            if (kStride == Simd512.Count && Vector512.IsHardwareAccelerated)
                DealVectors<Simd512, Vector512<float>>(row, tiles, mr, dst, panelFloats);
            else if (kStride == Simd256.Count)
                DealVectors<Simd256, Vector256<float>>(row, tiles, mr, dst, panelFloats);
            else
                for (int t = 0; t < tiles; t++, dst += panelFloats)
                    new ReadOnlySpan<float>(row + t * mr, mr).CopyTo(new Span<float>(dst, mr));
        }

        private static void DealVectors<S, V>(float* row, int tiles, int mr, float* dst, int panelFloats)
            where S : struct, ISimd<V> where V : struct
        {
            for (int t = 0; t < tiles; t++, dst += panelFloats) S.Store(S.Load(row + t * mr), dst);
        }
    }
}
