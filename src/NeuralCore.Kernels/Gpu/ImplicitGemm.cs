using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// The one tile kernel behind matmul and the dense convolutions (implicit GEMM: the convolution's operands are
/// gathered from NHWC tensors as the tiles are staged, never materialised). A group of 256 threads computes a
/// 64 x 64 tile of C, staging 16-deep slices of A and B in shared memory. The plain path gives each thread a 4 x 4
/// register block (rows ty + 16i, columns tx + 16j: conflict-free shared reads, coalesced stores); on CUDA with TF32
/// on, each of the 8 warps computes a 32 x 16 block with mma.sync m16n8k8 TF32 (FP32 accumulation), the precision
/// PyTorch allows cuDNN by default. A long reduction (the weight gradient's pixel sum) is cut into a fixed
/// number of chunks whose partial tiles <see cref="SumSplitsKernel"/> adds in order: no float atomics, same bits every run.
/// </summary>
internal static class ImplicitGemm
{
    public const int Tile = 64, Slice = 16, Threads = 256;
    /// <summary>Row stride of the staged slices: 72 = 64 + 8 makes the mma fragment reads (k = lane % 4, row = lane / 4) hit 32 banks.</summary>
    private const int Stride = Tile + 8;
    /// <summary>Splits a reduction until about this many groups run (two per multiprocessor of an H100)...</summary>
    private const int TargetGroups = 264;
    /// <summary>...but keeps at least this many k per split.</summary>
    private const int MinChunk = 32;
    /// <summary>The emulated tensor-core path's exchange: 12 fragment registers of each of the 8 warps' 32 lanes.</summary>
    private const int FragmentScratch = 12 * Threads;

    /// <summary>
    /// TF32 tensor cores for the tile kernel on CUDA, as PyTorch allows cuDNN by default (10-bit mantissa inputs,
    /// FP32 sums); NEURALCORE_GPU_TF32=0 keeps full FP32 multiplies. Read once. The emulator runs FP32 unless a test asks.
    /// </summary>
    public static readonly bool Tf32 = Environment.GetEnvironmentVariable("NEURALCORE_GPU_TF32") != "0";

    private static readonly KernelSlot<Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams>> TileLauncher =
        new(a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmParams>(TileKernel));

    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, int, int>> SumSplits =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(SumSplitsKernel));

    /// <summary>
    /// Queues C = A * B for <paramref name="batch"/> problems; splits K when <paramref name="splitK"/> and the tiles
    /// are few. Tensor cores by default where <see cref="Tf32"/> is on and the device is a CUDA card;
    /// <paramref name="tensorCores"/> overrides that (tests run the emulated tensor-core path with it).
    /// </summary>
    public static void Run(GpuDevice device, GemmParams p, int batch, bool splitK, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c,
        bool? tensorCores = null)
    {
        p.TensorCores = (tensorCores ?? (Tf32 && device.Accelerator.AcceleratorType == AcceleratorType.Cuda)) ? 1 : 0;
        int tiles = CeilDiv(p.M, Tile) * CeilDiv(p.N, Tile);
        int chunk = splitK ? SplitChunk(p.K, tiles * batch) : Math.Max(p.K, 1);
        p.KChunk = chunk;
        p.Splits = CeilDiv(Math.Max(p.K, 1), chunk);
        var tileLauncher = TileLauncher.On(device.Accelerator);
        bool emulatedMma = p.TensorCores != 0 && device.Accelerator.AcceleratorType != AcceleratorType.Cuda;
        KernelConfig Groups(int groups) => emulatedMma
            ? new KernelConfig(groups, Threads, SharedMemoryConfig.RequestDynamic<float>(FragmentScratch))
            : new KernelConfig(groups, Threads);
        if (p.Splits == 1) tileLauncher(Groups(tiles * batch), a, b, c, p);
        else SumOfSplits(device, p.Splits, batch * p.M * p.N, c, partials => tileLauncher(Groups(tiles * batch * p.Splits), a, b, partials, p));
    }

    /// <summary>
    /// y[i] = the sum over s of the partial results that <paramref name="launchPartials"/> queues into [splits, count],
    /// added in order of s. Launches queue in order on the one stream, so the partials go back to the pool once queued.
    /// </summary>
    public static void SumOfSplits(GpuDevice device, int splits, int count, ArrayView<float> y, Action<ArrayView<float>> launchPartials)
    {
        using var partials = Tensor.Empty([splits, count], DType.Float32, device.Device);
        var view = device.View<float>(partials);
        launchPartials(view);
        SumSplits.On(device.Accelerator)(count, view, y, count, splits);
    }

    /// <summary>The k per split: enough splits to fill the GPU, at least <see cref="MinChunk"/> each, a multiple of the slice depth.</summary>
    public static int SplitChunk(int k, int groups)
    {
        int splits = Math.Max(1, Math.Min(CeilDiv(k, MinChunk), CeilDiv(TargetGroups, groups)));
        return Math.Max(Slice, CeilDiv(CeilDiv(k, splits), Slice) * Slice);
    }

    public static int CeilDiv(int a, int b) => (a + b - 1) / b;

    /// <summary>y[i] = sum over s of partials[s * count + i], s ascending.</summary>
    [GpuKernel]
    internal static void SumSplitsKernel(Index1D i, ArrayView<float> partials, ArrayView<float> y, int count, int splits)
    {
        float sum = 0f;
        for (int s = 0; s < splits; s++) sum += partials[(long)s * count + i];
        y[i] = sum;
    }

    /// <summary>Group (z, tile row, tile column), tile columns fastest; z = batch * Splits + split.</summary>
    [GpuKernel(Grouped = true)]
    internal static void TileKernel(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmParams p)
    {
        var aTile = SharedMemory.Allocate<float>(Slice * Stride);
        var bTile = SharedMemory.Allocate<float>(Slice * Stride);
        // Off CUDA, the tensor-core path swaps its fragments through here (see EmulatedMma); CUDA launches request none.
        var fragments = SharedMemory.GetDynamic<float>();
        var rows = SharedMemory.Allocate<int>(3 * Tile);
        int tilesN = CeilDiv(p.N, Tile), tilesM = CeilDiv(p.M, Tile);
        int z = Grid.IdxX / (tilesM * tilesN), tile = Grid.IdxX - z * tilesM * tilesN;
        int m0 = tile / tilesN * Tile, n0 = tile % tilesN * Tile;
        int batch = z / p.Splits, split = z - batch * p.Splits;
        int kBegin = split * p.KChunk, kEnd = Math.Min(p.K, kBegin + p.KChunk);
        bool mma = p.TensorCores != 0;
        int t = Group.IdxX;
        if (t < Tile && m0 + t < p.M) p.DescribeRow(m0 + t, rows, t);
        Group.Barrier();
        var acc = default(Block16);
        for (int k0 = kBegin; k0 < kEnd; k0 += Slice)
        {
            for (int e = t; e < Slice * Tile; e += Threads)
            {
                StageA(aTile, p, a, rows, batch, m0, k0, kEnd, e, mma);
                StageB(bTile, p, b, batch, n0, k0, kEnd, e, mma);
            }
            Group.Barrier();
            if (mma) acc.MmaSlice(aTile, bTile, fragments, Warp.WarpIdx, Warp.LaneIdx);
            else acc.FmaSlice(aTile, bTile, t % 16, t / 16);
            Group.Barrier();
        }
        long cBase = (long)z * p.M * p.N;
        if (mma) acc.StoreMma(c, cBase, p.M, p.N, m0, n0, Warp.WarpIdx, Warp.LaneIdx);
        else acc.StoreFma(c, cBase, p.M, p.N, m0, n0, t % 16, t / 16);
    }

    /// <summary>Stages element e of the A slice: aTile[k * Stride + row] = A[m0 + row, k0 + k], 0 outside.</summary>
    private static void StageA(ArrayView<float> aTile, GemmParams p, ArrayView<float> a, ArrayView<int> rows, int batch, int m0, int k0, int kEnd, int e, bool tf32)
    {
        int row = p.AAlongK != 0 ? e / Slice : e % Tile;
        int k = p.AAlongK != 0 ? e % Slice : e / Tile;
        float v = m0 + row < p.M && k0 + k < kEnd ? p.LoadA(a, batch, m0 + row, k0 + k, rows, row) : 0f;
        aTile[k * Stride + row] = tf32 ? RoundToTf32(v) : v;
    }

    /// <summary>Stages element e of the B slice: bTile[k * Stride + col] = B[k0 + k, n0 + col], 0 outside.</summary>
    private static void StageB(ArrayView<float> bTile, GemmParams p, ArrayView<float> b, int batch, int n0, int k0, int kEnd, int e, bool tf32)
    {
        int col = p.BAlongK != 0 ? e / Slice : e % Tile;
        int k = p.BAlongK != 0 ? e % Slice : e / Tile;
        float v = n0 + col < p.N && k0 + k < kEnd ? p.LoadB(b, batch, k0 + k, n0 + col) : 0f;
        bTile[k * Stride + col] = tf32 ? RoundToTf32(v) : v;
    }

    /// <summary>v rounded to TF32 (10 mantissa bits; nearest, ties away from zero), kept in a float's bits.</summary>
    internal static float RoundToTf32(float v)
    {
        if (CudaAsm.IsSupported)
        {
            CudaAsm.Emit("cvt.rna.tf32.f32 %0, %1;", out uint rounded, v);
            return Interop.IntAsFloat(rounded);
        }
        // cvt.rna's rounding on the bits: add half of the last kept place to the magnitude, drop the 13 low bits.
        uint bits = Interop.FloatAsInt(v);
        if ((bits & 0x7F800000u) != 0x7F800000u) bits = (bits + 0x1000u) & 0xFFFFE000u;
        return Interop.IntAsFloat(bits);
    }

    /// <summary>
    /// A thread's 16 accumulators. Plain path: the 4 x 4 block C[ty + 16i, tx + 16j] as Cij. Tensor-core path: the
    /// warp's 32 x 16 block as 2 x 2 m16n8 tiles, tile (i, j) in C{i}{2j}..C{i}{2j+1} (rows g, g + 8 of the tile for
    /// j's first and second pair; g = lane / 4, columns 2 (lane % 4) and +1), the mma.sync accumulator layout.
    /// </summary>
    private struct Block16
    {
        public float C00, C01, C02, C03, C10, C11, C12, C13, C20, C21, C22, C23, C30, C31, C32, C33;

        /// <summary>Adds the staged slice's 16 outer products (unrolled: the 4 x 4 block per k).</summary>
        public void FmaSlice(ArrayView<float> aTile, ArrayView<float> bTile, int tx, int ty)
        {
            for (int k = 0; k < Slice; k++)
            {
                int ar = k * Stride + ty, bc = k * Stride + tx;
                float a0 = aTile[ar], a1 = aTile[ar + 16], a2 = aTile[ar + 32], a3 = aTile[ar + 48];
                float b0 = bTile[bc], b1 = bTile[bc + 16], b2 = bTile[bc + 32], b3 = bTile[bc + 48];
                C00 += a0 * b0; C01 += a0 * b1; C02 += a0 * b2; C03 += a0 * b3;
                C10 += a1 * b0; C11 += a1 * b1; C12 += a1 * b2; C13 += a1 * b3;
                C20 += a2 * b0; C21 += a2 * b1; C22 += a2 * b2; C23 += a2 * b3;
                C30 += a3 * b0; C31 += a3 * b1; C32 += a3 * b2; C33 += a3 * b3;
            }
        }

        public readonly void StoreFma(ArrayView<float> c, long cBase, int m, int n, int m0, int n0, int tx, int ty)
        {
            StoreRow(c, cBase, m, n, m0 + ty, n0 + tx, C00, C01, C02, C03);
            StoreRow(c, cBase, m, n, m0 + ty + 16, n0 + tx, C10, C11, C12, C13);
            StoreRow(c, cBase, m, n, m0 + ty + 32, n0 + tx, C20, C21, C22, C23);
            StoreRow(c, cBase, m, n, m0 + ty + 48, n0 + tx, C30, C31, C32, C33);
        }

        private static void StoreRow(ArrayView<float> c, long cBase, int m, int n, int row, int col, float v0, float v1, float v2, float v3)
        {
            if (row >= m) return;
            long at = cBase + (long)row * n;
            if (col < n) c[at + col] = v0;
            if (col + 16 < n) c[at + col + 16] = v1;
            if (col + 32 < n) c[at + col + 32] = v2;
            if (col + 48 < n) c[at + col + 48] = v3;
        }

        /// <summary>
        /// The slice's two k8 steps of the warp's 2 x 2 m16n8k8 tiles (operands already TF32-rounded when staged).
        /// Off CUDA the four mma.sync are emulated: every lane puts its 12 fragment registers in
        /// <paramref name="fragments"/> and reads the ones the instruction would bring it (one exchange per step).
        /// </summary>
        public void MmaSlice(ArrayView<float> aTile, ArrayView<float> bTile, ArrayView<float> fragments, int warp, int lane)
        {
            int g = lane / 4, q = lane % 4;
            int row = warp % 2 * 32 + g, col = warp / 2 * 16 + g;
            for (int k = 0; k < Slice; k += 8)
            {
                int lo = (k + q) * Stride, hi = (k + q + 4) * Stride;
                float a00 = aTile[lo + row], a01 = aTile[lo + row + 8], a02 = aTile[hi + row], a03 = aTile[hi + row + 8];
                float a10 = aTile[lo + row + 16], a11 = aTile[lo + row + 24], a12 = aTile[hi + row + 16], a13 = aTile[hi + row + 24];
                float b00 = bTile[lo + col], b01 = bTile[hi + col];
                float b10 = bTile[lo + col + 8], b11 = bTile[hi + col + 8];
                if (CudaAsm.IsSupported)
                {
                    Mma(ref C00, ref C01, ref C02, ref C03, a00, a01, a02, a03, b00, b01);
                    Mma(ref C10, ref C11, ref C12, ref C13, a00, a01, a02, a03, b10, b11);
                    Mma(ref C20, ref C21, ref C22, ref C23, a10, a11, a12, a13, b00, b01);
                    Mma(ref C30, ref C31, ref C32, ref C33, a10, a11, a12, a13, b10, b11);
                    continue;
                }
                // Register r of lane l at fragments[warp][r][l]: a0..a3 of both m-tiles (0..7), b0, b1 of both n-tiles (8..11).
                var f = fragments.SubView(warp * 12 * 32, 12 * 32);
                f[0 * 32 + lane] = a00; f[1 * 32 + lane] = a01; f[2 * 32 + lane] = a02; f[3 * 32 + lane] = a03;
                f[4 * 32 + lane] = a10; f[5 * 32 + lane] = a11; f[6 * 32 + lane] = a12; f[7 * 32 + lane] = a13;
                f[8 * 32 + lane] = b00; f[9 * 32 + lane] = b01; f[10 * 32 + lane] = b10; f[11 * 32 + lane] = b11;
                Group.Barrier();
                EmulatedMma(f, 0, 8, lane, ref C00, ref C01, ref C02, ref C03);
                EmulatedMma(f, 0, 10, lane, ref C10, ref C11, ref C12, ref C13);
                EmulatedMma(f, 4, 8, lane, ref C20, ref C21, ref C22, ref C23);
                EmulatedMma(f, 4, 10, lane, ref C30, ref C31, ref C32, ref C33);
                Group.Barrier();
            }
        }

        public readonly void StoreMma(ArrayView<float> c, long cBase, int m, int n, int m0, int n0, int warp, int lane)
        {
            int row = m0 + warp % 2 * 32 + lane / 4, col = n0 + warp / 2 * 16 + lane % 4 * 2;
            StorePair(c, cBase, m, n, row, col, C00, C01);
            StorePair(c, cBase, m, n, row + 8, col, C02, C03);
            StorePair(c, cBase, m, n, row, col + 8, C10, C11);
            StorePair(c, cBase, m, n, row + 8, col + 8, C12, C13);
            StorePair(c, cBase, m, n, row + 16, col, C20, C21);
            StorePair(c, cBase, m, n, row + 24, col, C22, C23);
            StorePair(c, cBase, m, n, row + 16, col + 8, C30, C31);
            StorePair(c, cBase, m, n, row + 24, col + 8, C32, C33);
        }

        private static void StorePair(ArrayView<float> c, long cBase, int m, int n, int row, int col, float v0, float v1)
        {
            if (row >= m) return;
            long at = cBase + (long)row * n + col;
            if (col < n) c[at] = v0;
            if (col + 1 < n) c[at + 1] = v1;
        }

        private static uint Bits(float v) => Interop.FloatAsInt(v);

        /// <summary>
        /// D = A * B + D for one m16n8k8 TF32 tile of the warp, in mma.sync's fragments (g = lane / 4, q = lane % 4):
        /// a0..a3 = A[g][q], A[g + 8][q], A[g][q + 4], A[g + 8][q + 4]; b0, b1 = B[q][g], B[q + 4][g];
        /// d0..d3 = D[g][2q], D[g][2q + 1], D[g + 8][2q], D[g + 8][2q + 1].
        /// </summary>
        private static void Mma(ref float d0, ref float d1, ref float d2, ref float d3, float a0, float a1, float a2, float a3, float b0, float b1)
        {
            Ref<float> c0 = d0, c1 = d1, c2 = d2, c3 = d3;
            Input<uint> x0 = Bits(a0), x1 = Bits(a1), x2 = Bits(a2), x3 = Bits(a3), y0 = Bits(b0), y1 = Bits(b1);
            CudaAsm.EmitRef(
                "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};",
                ref c0, ref c1, ref c2, ref c3, ref x0, ref x1, ref x2, ref x3, ref y0, ref y1);
            d0 = c0.Value;
            d1 = c1.Value;
            d2 = c2.Value;
            d3 = c3.Value;
        }

        /// <summary>
        /// <see cref="Mma"/>'s result from the warp's exchanged fragments (A's a0..a3 at registers aReg.., B's b0, b1 at
        /// bReg..): each lane reads its rows of A and columns of B from the lanes that hold them. The emulator's
        /// stand-in, so the fragment loads and stores are checked without a GPU; the hardware's summation order is not modelled.
        /// </summary>
        private static void EmulatedMma(ArrayView<float> f, int aReg, int bReg, int lane, ref float d0, ref float d1, ref float d2, ref float d3)
        {
            int g = lane / 4, q = lane % 4;
            for (int k = 0; k < 4; k++)
            {
                int aLane = g * 4 + k, left = 2 * q * 4 + k, right = left + 4;
                float top = f[aReg * 32 + aLane], bottom = f[(aReg + 1) * 32 + aLane];            // A[g][k], A[g + 8][k]
                float top4 = f[(aReg + 2) * 32 + aLane], bottom4 = f[(aReg + 3) * 32 + aLane];    // A[g][k + 4], A[g + 8][k + 4]
                float l = f[bReg * 32 + left], l4 = f[(bReg + 1) * 32 + left];                     // B[k][2q], B[k + 4][2q]
                float r = f[bReg * 32 + right], r4 = f[(bReg + 1) * 32 + right];                   // B[k][2q + 1], B[k + 4][2q + 1]
                d0 += top * l + top4 * l4;
                d1 += top * r + top4 * r4;
                d2 += bottom * l + bottom4 * l4;
                d3 += bottom * r + bottom4 * r4;
            }
        }
    }
}
