using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// The blocked SGEMM: for each block of NC columns, the threads pack all of op(B)[K x NC] together, then each
/// thread takes a contiguous range of MR-row tiles (or of NR-column panels when there are too few row tiles),
/// packs MC x KC blocks of op(A) into its own buffer and runs the micro-kernel over them. Looping over depth blocks
/// inside each MC block keeps that MC x NC block of C in cache across the depth blocks.
/// </summary>
internal static unsafe class GemmDriver
{
    /// <summary>Runs with <paramref name="kernel"/> (tests pass each kernel; <see cref="Gemm"/> passes the best one).
    /// Arguments are already validated and m, n, k are positive.</summary>
    public static void Run(in GemmKernelInfo kernel, bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, in GemmEpilogue epilogue = default)
    {
        int nr = kernel.NR;
        // Equal depth blocks of at most KC (e.g. 576 = 3 x 192, not 256 + 256 + 64); recount the blocks because
        // rounding the step up can leave fewer of them.
        int kcStep = CeilDiv(k, CeilDiv(k, GemmBlocking.KC));
        int kBlocks = CeilDiv(k, kcStep);
        int ncMax = (int)Math.Max(nr, GemmBlocking.PackedBBudgetFloats / k / nr * nr);
        int nBlocks = CeilDiv(n, ncMax);
        int nc = CeilDiv(CeilDiv(n, nBlocks), nr) * nr;
        int threads = CpuParallel.ThreadCount;
        long packedAFloats = (long)kernel.McTiles * GemmBlocking.KC * Math.Max(kernel.MR, kernel.ColumnsKStride);
        GemmWorkspace workspace = GemmWorkspace.Rent((long)k * nc, threads, packedAFloats);
        try
        {
            for (int j0 = 0; j0 < n; j0 += nc)
            {
                int cols = Math.Min(nc, n - j0);
                int panels = CeilDiv(cols, nr);
                var pack = new PackBWork
                {
                    Kernel = kernel, TransB = transB, B = b, Ldb = ldb, K = k, KcStep = kcStep, J0 = j0,
                    Cols = cols, Panels = panels, Dst = workspace.PackedB,
                };
                CpuParallel.For(kBlocks * panels, ref pack);

                int rowTiles = CeilDiv(m, kernel.MR);
                bool splitRows = rowTiles >= 4 * threads || rowTiles >= panels;
                var compute = new ComputeWork
                {
                    Kernel = kernel, TransA = transA, M = m, N = n, K = k, KcStep = kcStep, Alpha = alpha, A = a,
                    Lda = lda, Beta = beta, C = c, Ldc = ldc, J0 = j0, Panels = panels, RowTiles = rowTiles,
                    SplitRows = splitRows, PackedB = workspace.PackedB, Workspace = workspace, Epilogue = epilogue,
                };
                CpuParallel.For(splitRows ? rowTiles : panels, ref compute);
            }
        }
        finally
        {
            GemmWorkspace.Return(workspace);
        }
    }

    private static int CeilDiv(int x, int y) => (x + y - 1) / y;

    /// <summary>Packs (depth block, column panel) pairs of op(B); unit u = block * Panels + panel.</summary>
    private struct PackBWork : IWorkItem
    {
        public GemmKernelInfo Kernel;
        public bool TransB;
        public float* B, Dst;
        public int Ldb, K, KcStep, J0, Cols, Panels;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            for (int u = start; u < end;)
            {
                int block = u / Panels;
                int q0 = u % Panels;
                int q1 = Math.Min(Panels, q0 + (end - u));
                int p0 = block * KcStep;
                int kc = Math.Min(KcStep, K - p0);
                GemmPacking.PackB(Kernel, TransB, B, Ldb, p0, kc, J0, Cols, q0, q1, Dst + (long)p0 * Panels * Kernel.NR);
                u += q1 - q0;
            }
        }
    }

    /// <summary>Computes C for a range of row tiles (all panels) or of column panels (all rows).</summary>
    private struct ComputeWork : IWorkItem
    {
        public GemmKernelInfo Kernel;
        public bool TransA, SplitRows;
        public float* A, C, PackedB;
        public int M, N, K, KcStep, Lda, Ldc, J0, Panels, RowTiles;
        public float Alpha, Beta;
        public GemmWorkspace Workspace;
        public GemmEpilogue Epilogue;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Execute(int start, int end, int threadIndex)
        {
            (int t0, int t1, int q0, int q1) = SplitRows ? (start, end, 0, Panels) : (0, RowTiles, start, end);
            int mr = Kernel.MR, nr = Kernel.NR;
            float* packedA = Workspace.PackedA(threadIndex);
            int panelFloats = Kernel.APanelFloats(TransA);
            var kernel = TransA ? Kernel.ColumnsKernel : Kernel.RowsKernel;
            float* edge = stackalloc float[mr * nr];
            // Equal A blocks of at most McTiles tiles: a short last block (e.g. 73 = 3 x 24 + 1) would reload every
            // B micro-panel for one tile. Row blocking never changes a sum's order, so the split is free to vary.
            int mcTiles = CeilDiv(t1 - t0, Math.Max(1, CeilDiv(t1 - t0, Kernel.McTiles)));
            for (int tile0 = t0; tile0 < t1; tile0 += mcTiles)
            {
                int tiles = Math.Min(mcTiles, t1 - tile0);
                int i0 = tile0 * mr;
                int rows = Math.Min(tiles * mr, M - i0);
                for (int p0 = 0; p0 < K; p0 += KcStep)
                {
                    int kc = Math.Min(KcStep, K - p0);
                    float beta = p0 == 0 ? Beta : 1f;
                    bool lastDepthBlock = p0 + kc == K;
                    GemmPacking.PackA(Kernel, TransA, A, Lda, M, i0, rows, p0, kc, packedA);
                    float* bBlock = PackedB + (long)p0 * Panels * nr;
                    for (int q = q0; q < q1; q++)
                    {
                        float* bPanel = bBlock + (long)q * kc * nr;
                        int j = J0 + q * nr;
                        int validCols = Math.Min(nr, N - j);
                        for (int t = 0; t < tiles; t++)
                        {
                            int i = i0 + t * mr;
                            int validRows = Math.Min(mr, M - i);
                            float* aPanel = packedA + (long)t * panelFloats;
                            float* cTile = C + (long)i * Ldc + j;
                            if (t + 1 < tiles) PrefetchTile(cTile + (long)mr * Ldc, Ldc, mr, nr);
                            if (validRows == mr && validCols == nr)
                            {
                                kernel(kc, aPanel, bPanel, cTile, Ldc, Alpha, beta);
                            }
                            else
                            {
                                kernel(kc, aPanel, bPanel, edge, nr, 1f, 0f);
                                MergeEdge(edge, nr, cTile, Ldc, validRows, validCols, Alpha, beta);
                            }
                            if (lastDepthBlock && !Epilogue.IsNone) Epilogue.Apply(cTile, Ldc, validRows, validCols, j);
                        }
                    }
                }
            }
        }

        /// <summary>Asks for the next C tile while the current one is computed: C blocks are far too big for L1, and
        /// a micro-kernel call is thousands of cycles, ample time to hide the misses.</summary>
        private static void PrefetchTile(float* c, int ldc, int rows, int cols)
        {
            if (!Sse.IsSupported) return;
            for (int r = 0; r < rows; r++, c += ldc)
                for (int j = 0; j < cols; j += 16) Sse.Prefetch0(c + j);
        }

        private static void MergeEdge(float* tile, int nr, float* c, int ldc, int rows, int cols, float alpha, float beta)
        {
            for (int r = 0; r < rows; r++)
            {
                float* t = tile + r * nr;
                float* cr = c + (long)r * ldc;
                if (beta == 0f)
                    for (int j = 0; j < cols; j++) cr[j] = alpha * t[j];
                else
                    for (int j = 0; j < cols; j++) cr[j] = alpha * t[j] + beta * cr[j];
            }
        }
    }
}
