using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Writes a row-major tile transposed into a larger row-major matrix: dst[c * ldDst + r] = tile[r * ldTile + c].
/// The weight gradient produces dW^T in micro-kernel tiles and stores them into dW this way; element by element
/// that store cost about as much as a tenth of the whole gradient for 512 output channels, so full 8-column
/// blocks go through 8 x 8 register transposes (rows past the tile's end read as zeros and are not written).
/// </summary>
internal static unsafe class TileTranspose
{
    public static void Store(float* tile, int ldTile, int rows, int columns, float* dst, long ldDst)
    {
        int c = 0;
        if (Avx.IsSupported)
            for (; c + 8 <= columns; c += 8)
                for (int r0 = 0; r0 < rows; r0 += 8)
                    Block8(tile + (long)r0 * ldTile + c, ldTile, Math.Min(8, rows - r0), dst + c * ldDst + r0, ldDst);
        for (; c < columns; c++)
        {
            float* d = dst + c * ldDst;
            for (int r = 0; r < rows; r++) d[r] = tile[(long)r * ldTile + c];
        }
    }

    /// <summary>An 8-column block of <paramref name="rows"/> (at most 8) rows: unpack pairs of rows, shuffle pairs
    /// of pairs, then swap 128-bit halves, which leaves column j of the block in vector j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block8(float* src, int ld, int rows, float* dst, long ldDst)
    {
        Vector256<float> r0 = Row(src, ld, 0, rows), r1 = Row(src, ld, 1, rows);
        Vector256<float> r2 = Row(src, ld, 2, rows), r3 = Row(src, ld, 3, rows);
        Vector256<float> r4 = Row(src, ld, 4, rows), r5 = Row(src, ld, 5, rows);
        Vector256<float> r6 = Row(src, ld, 6, rows), r7 = Row(src, ld, 7, rows);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Put(Avx.Permute2x128(s0, s4, 0x20), dst, rows);
        Put(Avx.Permute2x128(s1, s5, 0x20), dst + ldDst, rows);
        Put(Avx.Permute2x128(s2, s6, 0x20), dst + 2 * ldDst, rows);
        Put(Avx.Permute2x128(s3, s7, 0x20), dst + 3 * ldDst, rows);
        Put(Avx.Permute2x128(s0, s4, 0x31), dst + 4 * ldDst, rows);
        Put(Avx.Permute2x128(s1, s5, 0x31), dst + 5 * ldDst, rows);
        Put(Avx.Permute2x128(s2, s6, 0x31), dst + 6 * ldDst, rows);
        Put(Avx.Permute2x128(s3, s7, 0x31), dst + 7 * ldDst, rows);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Row(float* src, int ld, int r, int rows) =>
        r < rows ? Vector256.Load(src + (long)r * ld) : Vector256<float>.Zero;

    /// <summary>Stores the first <paramref name="count"/> lanes only: the lanes after them belong to the next tile,
    /// which may be another thread's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector256<float> v, float* dst, int count)
    {
        if (count == 8)
        {
            v.Store(dst);
            return;
        }
        int i = 0;
        if (count >= 4)
        {
            v.GetLower().Store(dst);
            i = 4;
        }
        for (; i < count; i++) dst[i] = v.GetElement(i);
    }
}
