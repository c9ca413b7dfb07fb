using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// The weight gradient as an implicit GEMM, computed transposed: dW^T [N, K] = D^T [N, P] * A [P, K], where
/// A [P, K] is the forward's im2col matrix (a <see cref="ConvRowSource"/> over the output pixels), D = dy [P, N], and
/// the depth of the product is the P pixels. This way round the im2col side is the micro-kernel's B (its vector
/// side): a B micro-panel is pixels x 32 columns, and a pixel's row of it is a few contiguous channel runs copied
/// straight in (<see cref="ConvPanelGather"/>). The A side (broadcasts) is dy in the column layout, one vector
/// copy per pixel per micro-panel.
/// <para>
/// Work units are (pixel chunk, column panel) pairs. A thread packs the dy block of each depth block once and
/// reuses it for all its panels, and packs its own B panels. The chunks are a fixed split of the pixels that
/// depends only on the shape (more than one only when there are too few panels to go round), each with its own
/// dW^T tiles. With one chunk a tile is stored into dW [K, N], transposed (<see cref="TileTranspose"/>), right
/// after its last depth block; with several, a second pass adds the chunks in order, then stores. Every sum
/// therefore runs in an order the thread count does not change.
/// </para>
/// </summary>
internal static unsafe class ConvGemmWeightGrad
{
    /// <summary>Pixels per depth block: an A micro-panel (8 KiB) and a B micro-panel (16 KiB) fit in L1 together.</summary>
    private const int DepthBlock = 128;

    /// <summary>Work units to aim for: with fewer column panels the pixels are split into chunks.</summary>
    private const int MinUnits = 16;

    /// <summary>Fewest depth blocks a chunk may have: fewer would add partial dW buffers for little work.</summary>
    private const int MinChunkBlocks = 4;

    public static void Run(in GemmKernelInfo kernel, in ConvRowSource a, float* d, int n, float* dw)
    {
        int panels = ConvGemm.CeilDiv(a.K, kernel.NR);
        int rowTiles = ConvGemm.CeilDiv(n, kernel.MR);
        int chunks = PixelChunks(panels, a.M);
        long chunkFloats = (long)panels * rowTiles * kernel.MR * kernel.NR;
        int blockTiles = Math.Min(rowTiles, BlockTiles(kernel));
        long aFloats = (long)blockTiles * PanelStride(kernel);
        GemmWorkspace workspace = GemmWorkspace.Rent(chunks * chunkFloats, CpuParallel.ThreadCount,
            aFloats + (long)DepthBlock * kernel.NR);
        try
        {
            var work = new Work
            {
                Kernel = kernel, A = a, D = d, N = n, Panels = panels, RowTiles = rowTiles, Chunks = chunks,
                ChunkFloats = chunkFloats, BOffset = aFloats, Workspace = workspace, Dw = dw,
            };
            CpuParallel.For(chunks * panels, ref work);
            if (chunks == 1) return;
            var reduce = new Reduce
            {
                Kernel = kernel, Tiles = workspace.PackedB, Dw = dw, K = a.K, N = n, RowTiles = rowTiles,
                Chunks = chunks, ChunkFloats = chunkFloats,
            };
            CpuParallel.For(panels * rowTiles, chunks * chunkFloats, ref reduce);
        }
        finally
        {
            GemmWorkspace.Return(workspace);
        }
    }

    /// <summary>How many fixed pixel chunks to split the sum into: a function of the shape only.</summary>
    private static int PixelChunks(int panels, int pixels)
    {
        int wanted = ConvGemm.CeilDiv(MinUnits, panels);
        int affordable = Math.Max(1, pixels / (MinChunkBlocks * DepthBlock));
        return Math.Min(wanted, affordable);
    }

    /// <summary>dy micro-panels packed per depth block: as many as fit in 512 KiB (882 rows for the AVX-512
    /// kernel), so that every B panel is gathered once per depth block even for 512 output channels.</summary>
    private static int BlockTiles(in GemmKernelInfo kernel) => 512 * 1024 / sizeof(float) / PanelStride(kernel);

    /// <summary>Floats between A micro-panels: one cache line more than a panel, so the same depth step of every
    /// panel, which each pixel's copy writes together, does not fall in one L1 set.</summary>
    private static int PanelStride(in GemmKernelInfo kernel) => DepthBlock * kernel.ColumnsKStride + Vector512<float>.Count;

    /// <summary>dW^T tiles of a range of (chunk, panel) units: tile (t, q) of chunk c is MR x NR floats at
    /// c * ChunkFloats + (q * RowTiles + t) * MR * NR.</summary>
    private struct Work : IWorkItem
    {
        public GemmKernelInfo Kernel;
        public ConvRowSource A;
        public float* D, Dw;
        public int N, Panels, RowTiles, Chunks;
        public long ChunkFloats, BOffset;
        public GemmWorkspace Workspace;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Execute(int start, int end, int threadIndex)
        {
            for (int u = start; u < end;)
            {
                int chunk = u / Panels, q0 = u - chunk * Panels;
                int q1 = Math.Min(Panels, q0 + end - u);
                RunChunk(chunk, q0, q1, threadIndex);
                u += q1 - q0;
            }
        }

        /// <summary>The dW^T tiles of panels q0 .. q1, summed over the chunk's pixels in depth-block order.</summary>
        private readonly void RunChunk(int chunk, int q0, int q1, int threadIndex)
        {
            int mr = Kernel.MR, nr = Kernel.NR, k = A.K;
            int tileFloats = mr * nr, panelStride = PanelStride(Kernel);
            float* packedA = Workspace.PackedA(threadIndex);
            float* packedB = packedA + BOffset;
            float* tiles = Workspace.PackedB + chunk * ChunkFloats;
            var kernel = Kernel.ColumnsKernel;
            (int m0, int m1) = CpuParallel.Chunk(A.M, chunk, Chunks);
            for (int p0 = m0; p0 < m1; p0 += DepthBlock)
            {
                int kc = Math.Min(DepthBlock, m1 - p0);
                float beta = p0 == m0 ? 0f : 1f;
                // A single chunk's tiles are final after its last depth block: write them out while still in L1.
                bool storeNow = Chunks == 1 && p0 + kc == m1;
                for (int t0 = 0; t0 < RowTiles; t0 += BlockTiles(Kernel))
                {
                    int blockTiles = Math.Min(BlockTiles(Kernel), RowTiles - t0);
                    PackDy(p0, kc, t0 * mr, blockTiles, packedA, panelStride);
                    for (int q = q0; q < q1; q++)
                    {
                        int width = Math.Min(nr, k - q * nr);
                        // Columns past K stay zero, so the tiles' columns past K come out zero and are never read.
                        if (width < nr) new Span<float>(packedB, kc * nr).Clear();
                        ConvPanelGather.Pack(A, p0, kc, q * nr, width, nr, packedB);
                        float* c = tiles + ((long)q * RowTiles + t0) * tileFloats;
                        for (int t = 0; t < blockTiles; t++, c += tileFloats)
                        {
                            if (beta != 0f) Prefetch(c, tileFloats);
                            kernel(kc, packedA + (long)t * panelStride, packedB, c, nr, 1f, beta);
                            if (storeNow) StoreTransposed(Kernel, c, Dw, k, N, q, t0 + t);
                        }
                    }
                }
            }
        }

        /// <summary>Asks for a dW^T tile ahead of the kernel call that adds to it: a thread's tiles can outgrow L2
        /// (8 MB for 4x4 256->512), and the kernel reads its tile only after its depth loop, so without this each
        /// call would end waiting on L3 for the tile's lines; this way they load while it computes.</summary>
        private static void Prefetch(float* tile, int floats)
        {
            if (!Sse.IsSupported) return;
            for (int x = 0; x < floats; x += Vector512<float>.Count) Sse.Prefetch0(tile + x);
        }

        /// <summary>Packs dy rows p0 .. p0+kc, columns i0 .. i0 + blockTiles*MR, in the column layout: depth step p of
        /// micro-panel t is dy[p0 + p, i0 + t*MR ..], one whole vector (lanes past MR, or past N in the last panel,
        /// hold whatever follows in dy: they only feed tile rows that are never read).</summary>
        private readonly void PackDy(int p0, int kc, int i0, int blockTiles, float* dst, int panelStride)
        {
            int kStride = Kernel.ColumnsKStride;
            if (kStride == Simd512.Count && Vector512.IsHardwareAccelerated)
                PackDy<Simd512, Vector512<float>>(p0, kc, i0, blockTiles, dst, panelStride);
            else if (kStride == Simd256.Count)
                PackDy<Simd256, Vector256<float>>(p0, kc, i0, blockTiles, dst, panelStride);
            else
                PackDyScalar(p0, kc, i0, blockTiles, dst, panelStride);
        }

        private readonly void PackDy<S, V>(int p0, int kc, int i0, int blockTiles, float* dst, int panelStride)
            where S : struct, ISimd<V> where V : struct
        {
            int mr = Kernel.MR;
            // The last vector of the last pixel would read past the end of dy: those steps take the scalar path.
            long safeEnd = (long)A.M * N - S.Count;
            for (int p = 0; p < kc; p++)
            {
                long row = (long)(p0 + p) * N + i0;
                float* d = dst + p * S.Count;
                for (int t = 0; t < blockTiles; t++, d += panelStride)
                {
                    long offset = row + t * mr;
                    if (offset <= safeEnd) S.Store(S.Load(D + offset), d);
                    else CopyClipped(offset, d, S.Count);
                }
            }
        }

        private readonly void PackDyScalar(int p0, int kc, int i0, int blockTiles, float* dst, int panelStride)
        {
            int mr = Kernel.MR, kStride = Kernel.ColumnsKStride;
            for (int p = 0; p < kc; p++)
            {
                long row = (long)(p0 + p) * N + i0;
                for (int t = 0; t < blockTiles; t++)
                    CopyClipped(row + t * mr, dst + (long)t * panelStride + p * kStride, kStride);
            }
        }

        /// <summary>Copies dy[offset .. offset+count) as far as dy goes and zeroes the rest.</summary>
        private readonly void CopyClipped(long offset, float* dst, int count)
        {
            long available = Math.Clamp((long)A.M * N - offset, 0, count);
            for (int x = 0; x < count; x++) dst[x] = x < available ? D[offset + x] : 0f;
        }
    }

    /// <summary>Writes the valid part of dW^T tile (row tile t, panel q) to dW [K, N], transposed.</summary>
    private static void StoreTransposed(in GemmKernelInfo kernel, float* tile, float* dw, int k, int n, int q, int t)
    {
        int mr = kernel.MR, nr = kernel.NR, k0 = q * nr, i0 = t * mr;
        TileTranspose.Store(tile, nr, Math.Min(mr, n - i0), Math.Min(nr, k - k0), dw + (long)k0 * n + i0, n);
    }

    /// <summary>dW [K, N] from the tiles of several chunks: each (panel, row tile) unit adds its chunks in chunk order and writes the
    /// tile's valid part transposed.</summary>
    private struct Reduce : IWorkItem
    {
        public GemmKernelInfo Kernel;
        public float* Tiles, Dw;
        public int K, N, RowTiles, Chunks;
        public long ChunkFloats;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            int tileFloats = Kernel.MR * Kernel.NR;
            for (int u = start; u < end; u++)
            {
                int q = u / RowTiles, t = u - q * RowTiles;
                float* tile = Tiles + (long)u * tileFloats;
                for (int chunk = 1; chunk < Chunks; chunk++)
                    Add(tile + chunk * ChunkFloats, tile, tileFloats);
                StoreTransposed(Kernel, tile, Dw, K, N, q, t);
            }
        }

        private static void Add(float* src, float* dst, int count)
        {
            int i = 0;
            for (; i <= count - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.Store(Vector256.Load(dst + i) + Vector256.Load(src + i), dst + i);
            for (; i < count; i++) dst[i] += src[i];
        }
    }
}
