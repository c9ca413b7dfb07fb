using System.Runtime.Intrinsics;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Cache blocking and micro-kernel choice (BLIS/GotoBLAS loop structure). One packed B block (all of K by up to
/// NC columns) stays in L3 and is shared by the threads; each thread packs MC x KC blocks of A that stay in its L2;
/// one B micro-panel (KC x NR) stays in L1 while the micro-kernel walks down the A block. None of these numbers
/// depends on the thread count, so the order of every floating-point sum, and hence the result, does not either.
/// </summary>
internal static unsafe class GemmBlocking
{
    /// <summary>Largest depth block; also the row stride of an A micro-panel in <see cref="PackedARows"/>.</summary>
    public const int KC = 256;

    /// <summary>Budget for the packed B block in floats (8 MiB): NC is the widest block of all K rows that fits.</summary>
    public const long PackedBBudgetFloats = 2L * 1024 * 1024;

    /// <summary>The narrow micro-kernel, picked once from what the hardware accelerates.</summary>
    public static readonly GemmKernelInfo Kernel = Vector512.IsHardwareAccelerated
        ? GemmKernelInfo.Avx512
        : GemmKernelInfo.Avx2;

    /// <summary>
    /// The micro-kernel for a product whose C tiles span <paramref name="n"/> columns (the NR direction): the wide
    /// 6 x 64 kernel (fewer loads per FMA, 3-5% faster on large products) unless it would pad more columns than
    /// <see cref="Kernel"/> does (e.g. 24 or 96 columns). Depends on the shape only, never on the thread count,
    /// so results stay bit-identical across thread counts.
    /// </summary>
    public static GemmKernelInfo KernelFor(int n) =>
        Vector512.IsHardwareAccelerated && PaddedTo(n, GemmKernel512Wide.NR) <= PaddedTo(n, Kernel.NR)
            ? GemmKernelInfo.Avx512Wide
            : Kernel;

    private static int PaddedTo(int n, int multiple) => (n + multiple - 1) / multiple * multiple;
}

/// <summary>A micro-kernel's tile shape, A-block height and entry points for both packed-A layouts.</summary>
internal readonly unsafe struct GemmKernelInfo
{
    /// <summary>Rows, columns of the C tile a micro-kernel call produces.</summary>
    public readonly int MR, NR;

    /// <summary>Rows of A packed per block (MC = MR * McTiles), sized so MC x KC floats sit well inside L2.</summary>
    public readonly int McTiles;

    /// <summary>Floats per depth step in the column layout of packed A (MR rounded up to a vector).</summary>
    public readonly int ColumnsKStride;

    public readonly delegate*<int, float*, float*, float*, int, float, float, void> RowsKernel;
    public readonly delegate*<int, float*, float*, float*, int, float, float, void> ColumnsKernel;

    private GemmKernelInfo(int mr, int nr, int mcTiles, int columnsKStride,
        delegate*<int, float*, float*, float*, int, float, float, void> rowsKernel,
        delegate*<int, float*, float*, float*, int, float, float, void> columnsKernel)
    {
        MR = mr;
        NR = nr;
        McTiles = mcTiles;
        ColumnsKStride = columnsKStride;
        RowsKernel = rowsKernel;
        ColumnsKernel = columnsKernel;
    }

    public static GemmKernelInfo Avx512 => new(GemmKernel512.MR, GemmKernel512.NR, 24, 16,
        &GemmKernel512.Run<PackedARows>, &GemmKernel512.Run<PackedAColumns16>);

    /// <summary>A block of 56 tiles = 336 rows, the same MC as <see cref="Avx512"/>; MR = 6 fits 8-float columns.</summary>
    public static GemmKernelInfo Avx512Wide => new(GemmKernel512Wide.MR, GemmKernel512Wide.NR, 56, 8,
        &GemmKernel512Wide.Run<PackedARows>, &GemmKernel512Wide.Run<PackedAColumns8>);

    public static GemmKernelInfo Avx2 => new(GemmKernel256.MR, GemmKernel256.NR, 60, 8,
        &GemmKernel256.Run<PackedARows>, &GemmKernel256.Run<PackedAColumns8>);

    /// <summary>Floats between consecutive A micro-panels of a packed block.</summary>
    public int APanelFloats(bool transA) => transA ? GemmBlocking.KC * ColumnsKStride : MR * GemmBlocking.KC;
}
