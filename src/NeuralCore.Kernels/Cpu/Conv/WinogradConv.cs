using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Fused Winograd convolution for 3x3 stride-1 undilated ungrouped convolutions (any padding), NHWC float32:
/// the forward pass y = conv(x, w) and the input gradient dx = conv(dy, w flipped, in/out channels swapped).
/// Legend: a tile is an m x m block of outputs; its alpha x alpha source patch (alpha = m + 2) is transformed to
/// V = B^T d B per channel, the weights to U = G g G^T per channel pair, and then for each of the alpha^2 points xi
/// M[xi] [tiles, Cout] = V[xi] [tiles, Cin] * U[xi] [Cin, Cout], and y = A^T M A per tile.
/// <para>Everything stays in cache: the tiles are processed a block at a time (a multiple of the micro-kernel's MR
/// tiles); the input transform writes V straight into packed-A micro-panels (<see cref="PackedARows"/>: one tile's
/// channels per row, <see cref="GemmBlocking.KC"/> floats apart), the GEMM micro-kernel multiplies them with U
/// (transformed and packed into B micro-panels once per call) into a per-thread M block, and the output transform
/// writes the block's outputs straight into y. Every output element is computed from its own tile only, in an order
/// fixed by the shape, so results do not depend on the blocking or the thread count.</para>
/// </summary>
internal static unsafe class WinogradConv
{
    /// <summary>Per-thread V + M floats a tile block may use (1 MiB: about the L2 of one core).</summary>
    private const int BlockBudgetFloats = 256 * 1024;

    /// <summary>Floats (one cache line) added to the distance between the alpha^2 points' A and M blocks: without
    /// it that distance is often a multiple of 4 KiB (56 tiles x 1 KiB at 64 channels), so the 36 rows a tile's
    /// transform writes or reads all fall into the same L1 set.</summary>
    private const int PointPadFloats = 16;

    /// <summary>Whether a convolution has the shape this class computes: 3x3, stride 1, dilation 1, groups 1.</summary>
    public static bool Fits(Conv2dGeometry g) =>
        g.KernelH == WinogradTile.R && g.KernelW == WinogradTile.R && g.Stride == (1, 1) && g.Dilation == (1, 1)
        && g.Groups == 1;

    /// <summary>Output tiles of one pass (the larger of the forward's and the input gradient's output).</summary>
    public static int Tiles(WinogradTile tile, Conv2dGeometry g) =>
        g.Batch * ConvGemm.CeilDiv(Math.Max(g.OutH, g.InH), tile.M) * ConvGemm.CeilDiv(Math.Max(g.OutW, g.InW), tile.M);

    /// <summary>y [N, OutH, OutW, OutC] = conv(x [N, InH, InW, InC], w [3, 3, InC, OutC]).</summary>
    public static void Forward(WinogradTile tile, Conv2dGeometry g, float* x, float* w, float* y) =>
        Run(tile, x, g.Batch, g.InH, g.InW, g.InC, w, flipFilter: false, y, g.OutH, g.OutW, g.OutC, g.PadTop, g.PadLeft);

    /// <summary>
    /// dx [N, InH, InW, InC] from dy [N, OutH, OutW, OutC]: dx[ih] = sum_kh dy[ih + PadTop - kh] w[kh], i.e. a
    /// stride-1 3x3 correlation of dy with the taps flipped (kh' = 2 - kh), padded 2 - PadTop at the top (and
    /// 2 - PadLeft at the left), whose input channels are the forward's output channels.
    /// </summary>
    public static void BackwardInput(WinogradTile tile, Conv2dGeometry g, float* dy, float* w, float* dx) =>
        Run(tile, dy, g.Batch, g.OutH, g.OutW, g.OutC, w, flipFilter: true, dx, g.InH, g.InW, g.InC,
            WinogradTile.R - 1 - g.PadTop, WinogradTile.R - 1 - g.PadLeft);

    /// <param name="w">The HWIO weight [3, 3, cin, cout]; with <paramref name="flipFilter"/>, the forward weight
    /// [3, 3, cout, cin] whose taps are flipped and channels swapped first.</param>
    private static void Run(WinogradTile tile, float* src, int batch, int srcH, int srcW, int cin, float* w, bool flipFilter,
        float* dst, int dstH, int dstW, int cout, int padTop, int padLeft)
    {
        GemmKernelInfo kernel = GemmBlocking.KernelFor(cout);
        int alpha2 = tile.Alpha * tile.Alpha;
        int panels = ConvGemm.CeilDiv(cout, kernel.NR), ldm = panels * kernel.NR;
        int kcStep = ConvGemm.DepthStep(cin);
        int tilesH = ConvGemm.CeilDiv(dstH, tile.M), tilesW = ConvGemm.CeilDiv(dstW, tile.M);
        int tiles = batch * tilesH * tilesW;
        int threads = CpuParallel.ThreadCount;
        int blockTiles = BlockTiles(kernel, alpha2, kcStep, ldm, tiles, threads);
        long uFloats = (long)alpha2 * cin * ldm;
        long aPointStride = (long)blockTiles * GemmBlocking.KC + PointPadFloats, mPointStride = (long)blockTiles * ldm + PointPadFloats;
        long aFloats = alpha2 * aPointStride, mFloats = alpha2 * mPointStride;
        GemmWorkspace workspace = GemmWorkspace.Rent(uFloats, threads, aFloats + mFloats);
        try
        {
            var pack = new FilterTransformWork
            {
                Tile = tile, W = w, Flipped = flipFilter, Cin = cin, Cout = cout, KcStep = kcStep, Panels = panels,
                NR = kernel.NR, Dst = workspace.PackedB,
            };
            CpuParallel.For(cin, uFloats, ref pack);
            var work = new TileBlockWork
            {
                Tile = tile, Kernel = kernel, Src = src, SrcH = srcH, SrcW = srcW, Cin = cin, Dst = dst, DstH = dstH,
                DstW = dstW, Cout = cout, PadTop = padTop, PadLeft = padLeft, TilesH = tilesH, TilesW = tilesW,
                Tiles = tiles, BlockTiles = blockTiles, KcStep = kcStep, Panels = panels, Ldm = ldm,
                PackedU = workspace.PackedB, AFloats = aFloats, APointStride = aPointStride, MPointStride = mPointStride,
                Workspace = workspace,
            };
            CpuParallel.For(ConvGemm.CeilDiv(tiles, blockTiles), ref work);
        }
        finally
        {
            GemmWorkspace.Return(workspace);
        }
    }

    /// <summary>Tiles per block: as many MR-row micro-panels as fit <see cref="BlockBudgetFloats"/>, but small
    /// enough that every thread gets a few blocks.</summary>
    private static int BlockTiles(in GemmKernelInfo kernel, int alpha2, int kcStep, int ldm, int tiles, int threads)
    {
        int perPanel = alpha2 * kernel.MR * (kcStep + ldm);
        int byCache = Math.Max(1, BlockBudgetFloats / perPanel);
        int byThreads = Math.Max(1, ConvGemm.CeilDiv(tiles, 2 * threads * kernel.MR));
        return Math.Min(byCache, byThreads) * kernel.MR;
    }

    /// <summary>
    /// U[xi] = G g G^T for every (ci, co), vectorised across co, packed as the B operand of the alpha^2 products:
    /// point xi at xi*Cin*Ldm, then like <see cref="ConvGemm"/>'s packed B (depth block p0 at p0*Ldm, its panel q at
    /// q*kc*NR, kc rows of NR floats; zeros past Cout). With <see cref="Flipped"/>, g is the input-gradient filter
    /// of the forward weight W [3, 3, Cout, Cin]: tap (kh, kw) of (ci, co) is W's (2 - kh, 2 - kw) of (co, ci), read
    /// in place (a stride-Cin gather whose cache lines the next ci of the same thread reuses) instead of flipping
    /// and transposing the whole weight on one thread first.
    /// </summary>
    private struct FilterTransformWork : IWorkItem
    {
        public WinogradTile Tile;
        public float* W, Dst;
        public bool Flipped;
        public int Cin, Cout, KcStep, Panels, NR;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            if (Vector512.IsHardwareAccelerated) Execute<Simd512, Vector512<float>>(start, end);
            else Execute<Simd256, Vector256<float>>(start, end);
        }

        private readonly void Execute<S, V>(int start, int end) where S : struct, ISimd<V> where V : struct
        {
            const int taps = WinogradTile.R * WinogradTile.R;
            int alpha2 = Tile.Alpha * Tile.Alpha, count = S.Count, ldm = Panels * NR;
            long xiStride = (long)Cin * ldm;
            float** filter = stackalloc float*[taps];
            float** tailFilter = stackalloc float*[taps];
            float** targets = stackalloc float*[alpha2];
            float* tail = stackalloc float[taps * count];
            float* temp = stackalloc float[Tile.TempFloats];
            for (int k = 0; k < taps; k++) tailFilter[k] = tail + k * count;
            for (int ci = start; ci < end; ci++)
            {
                int p0 = ci / KcStep * KcStep, kc = Math.Min(KcStep, Cin - p0);
                if (!Flipped)
                    for (int k = 0; k < taps; k++) filter[k] = W + ((long)k * Cin + ci) * Cout;
                for (int c = 0; c < ldm; c += count)
                {
                    float* row = Dst + (long)p0 * ldm + (long)(c / NR) * kc * NR + (long)(ci - p0) * NR + c % NR;
                    for (int xi = 0; xi < alpha2; xi++) targets[xi] = row + xi * xiStride;
                    if (!Flipped && c + count <= Cout)
                    {
                        WinogradTile.Transform2d<S, V>(Tile.Filter, filter, c, targets, 0, temp);
                        continue;
                    }
                    GatherTaps(ci, c, filter, tail, count);
                    WinogradTile.Transform2d<S, V>(Tile.Filter, tailFilter, 0, targets, 0, temp);
                }
            }
        }

        /// <summary>Taps of output channels c .. c + count of input channel ci as vectors, zero past Cout: the
        /// channel tail and zero columns of the last panel, and every vector of a flipped filter.</summary>
        private readonly void GatherTaps(int ci, int c, float** filter, float* tail, int count)
        {
            const int taps = WinogradTile.R * WinogradTile.R;
            int lanes = Math.Clamp(Cout - c, 0, count);
            for (int k = 0; k < taps; k++)
            {
                float* t = tail + k * count;
                if (Flipped)
                {
                    float* source = W + ((long)(taps - 1 - k) * Cout + c) * Cin + ci;
                    for (int x = 0; x < lanes; x++) t[x] = source[(long)x * Cin];
                }
                else
                {
                    for (int x = 0; x < lanes; x++) t[x] = filter[k][c + x];
                }
                for (int x = lanes; x < count; x++) t[x] = 0f;
            }
        }
    }

    /// <summary>Input transform, alpha^2 GEMMs and output transform of a range of tile blocks.</summary>
    private struct TileBlockWork : IWorkItem
    {
        public WinogradTile Tile;
        public GemmKernelInfo Kernel;
        public float* Src, Dst, PackedU;
        public int SrcH, SrcW, Cin, DstH, DstW, Cout, PadTop, PadLeft;
        public int TilesH, TilesW, Tiles, BlockTiles, KcStep, Panels, Ldm;
        public long AFloats, APointStride, MPointStride;
        public GemmWorkspace Workspace;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Execute(int start, int end, int threadIndex)
        {
            if (Vector512.IsHardwareAccelerated) Execute<Simd512, Vector512<float>>(start, end, threadIndex);
            else Execute<Simd256, Vector256<float>>(start, end, threadIndex);
        }

        private readonly void Execute<S, V>(int start, int end, int threadIndex) where S : struct, ISimd<V> where V : struct
        {
            int alpha2 = Tile.Alpha * Tile.Alpha, count = S.Count;
            float* a = Workspace.PackedA(threadIndex), mBlock = a + AFloats;
            float** patch = stackalloc float*[alpha2];
            float** points = stackalloc float*[alpha2];
            float** tailPoints = stackalloc float*[alpha2];
            float* temp = stackalloc float[Tile.TempFloats];
            float* tail = stackalloc float[alpha2 * count];
            // Reads of source pixels in the padding come from zeros; writes of outputs past a ragged edge go to junk.
            int zeroFloats = Cin + count, junkFloats = Ldm + count;
            float* zeros = stackalloc float[zeroFloats];
            float* junk = stackalloc float[junkFloats];
            new Span<float>(zeros, zeroFloats).Clear();
            for (int k = 0; k < alpha2; k++) tailPoints[k] = tail + k * count;
            for (int block = start; block < end; block++)
            {
                int tile0 = block * BlockTiles, blockTiles = Math.Min(BlockTiles, Tiles - tile0);
                int microPanels = ConvGemm.CeilDiv(blockTiles, Kernel.MR);
                for (int p0 = 0; p0 < Cin; p0 += KcStep)
                {
                    int kc = Math.Min(KcStep, Cin - p0);
                    for (int r = 0; r < blockTiles; r++)
                    {
                        SourcePatch(tile0 + r, patch, zeros);
                        // V[xi] of this tile is row r of point xi's packed A; channel c lands at column c - p0.
                        for (int xi = 0; xi < alpha2; xi++) points[xi] = a + xi * APointStride + (long)r * GemmBlocking.KC - p0;
                        for (int c = p0; c < p0 + kc; c += count)
                        {
                            if (c + count <= Cin)
                            {
                                Tile.InputTransform<S, V>(patch, c, points, c, temp);
                                continue;
                            }
                            GatherTail(patch, alpha2, c, Cin - c, tail, count);
                            Tile.InputTransform<S, V>(tailPoints, 0, points, c, temp);
                        }
                    }
                    ClearPadRows(a, blockTiles, microPanels * Kernel.MR, kc, alpha2);
                    Multiply(a, mBlock, p0, kc, microPanels, alpha2);
                }
                for (int r = 0; r < blockTiles; r++)
                {
                    for (int xi = 0; xi < alpha2; xi++) points[xi] = mBlock + xi * MPointStride + (long)r * Ldm;
                    DestinationTile(tile0 + r, patch, junk, out int validRows, out int validCols);
                    for (int c = 0; c < Cout; c += count)
                    {
                        if (c + count <= Cout)
                        {
                            Tile.OutputTransform<S, V>(points, c, patch, c, temp);
                            continue;
                        }
                        Tile.OutputTransform<S, V>(points, c, tailPoints, 0, temp);
                        ScatterTail(tail, count, patch, validRows, validCols, c, Cout - c);
                    }
                }
            }
        }

        /// <summary>Pointers to the alpha x alpha source pixels of a tile (row-major), <paramref name="zeros"/> for
        /// those in the padding.</summary>
        private readonly void SourcePatch(int tileIndex, float** patch, float* zeros)
        {
            int m = Tile.M, alpha = Tile.Alpha, perImage = TilesH * TilesW;
            int n = tileIndex / perImage, rest = tileIndex - n * perImage;
            int th = rest / TilesW, tw = rest - th * TilesW;
            int h0 = th * m - PadTop, w0 = tw * m - PadLeft;
            float* image = Src + (long)n * SrcH * SrcW * Cin;
            for (int k = 0; k < alpha; k++)
                for (int l = 0; l < alpha; l++)
                {
                    int sh = h0 + k, sw = w0 + l;
                    patch[k * alpha + l] = (uint)sh < (uint)SrcH && (uint)sw < (uint)SrcW
                        ? image + ((long)sh * SrcW + sw) * Cin
                        : zeros;
                }
        }

        /// <summary>Pointers to the m x m destination pixels of a tile (row-major), <paramref name="junk"/> for those
        /// past the bottom or right edge; also the valid extent.</summary>
        private readonly void DestinationTile(int tileIndex, float** pixels, float* junk, out int validRows, out int validCols)
        {
            int m = Tile.M, perImage = TilesH * TilesW;
            int n = tileIndex / perImage, rest = tileIndex - n * perImage;
            int th = rest / TilesW, tw = rest - th * TilesW;
            int h0 = th * m, w0 = tw * m;
            validRows = Math.Min(m, DstH - h0);
            validCols = Math.Min(m, DstW - w0);
            float* image = Dst + (long)n * DstH * DstW * Cout;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++)
                    pixels[i * m + j] = i < validRows && j < validCols ? image + ((long)(h0 + i) * DstW + w0 + j) * Cout : junk;
        }

        /// <summary>The last <paramref name="lanes"/> (&lt; one vector) channels of each patch pixel, zero-padded to a
        /// vector, so the tail runs through the same vector transform.</summary>
        private static void GatherTail(float** patch, int pixels, int c, int lanes, float* tail, int count)
        {
            for (int k = 0; k < pixels; k++)
            {
                float* t = tail + k * count;
                for (int x = 0; x < count; x++) t[x] = x < lanes ? patch[k][c + x] : 0f;
            }
        }

        /// <summary>Copies the valid lanes of a transformed tail vector per output pixel into the valid pixels.</summary>
        private readonly void ScatterTail(float* tail, int count, float** pixels, int validRows, int validCols, int c, int lanes)
        {
            int m = Tile.M;
            for (int i = 0; i < validRows; i++)
                for (int j = 0; j < validCols; j++)
                    new ReadOnlySpan<float>(tail + (i * m + j) * count, lanes).CopyTo(new Span<float>(pixels[i * m + j] + c, lanes));
        }

        /// <summary>Zeroes the A rows of the last micro-panel that no tile fills (a block's ragged end), so the
        /// micro-kernel multiplies zeros rather than stale values whose M rows are never read anyway.</summary>
        private readonly void ClearPadRows(float* a, int blockTiles, int rows, int kc, int alpha2)
        {
            for (int xi = 0; xi < alpha2; xi++)
                for (int r = blockTiles; r < rows; r++)
                    new Span<float>(a + xi * APointStride + (long)r * GemmBlocking.KC, kc).Clear();
        }

        /// <summary>M[xi] (+)= V[xi] U[xi] for depth block p0 of every point xi, micro-panel by micro-panel.</summary>
        private readonly void Multiply(float* a, float* mBlock, int p0, int kc, int microPanels, int alpha2)
        {
            int mr = Kernel.MR, nr = Kernel.NR;
            float beta = p0 == 0 ? 0f : 1f;
            var kernel = Kernel.RowsKernel;
            for (int xi = 0; xi < alpha2; xi++)
            {
                float* aPoint = a + xi * APointStride;
                float* mPoint = mBlock + xi * MPointStride;
                float* uPoint = PackedU + ((long)xi * Cin + p0) * Ldm;
                // U[xi] (kc x Ldm) stays in L2 for the whole block and one A micro-panel in L1 across the panels.
                for (int t = 0; t < microPanels; t++)
                    for (int q = 0; q < Panels; q++)
                        kernel(kc, aPoint + t * mr * GemmBlocking.KC, uPoint + (long)q * kc * nr, mPoint + (long)t * mr * Ldm + q * nr, Ldm, 1f, beta);
            }
        }
    }
}
