using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Packs a block of a <see cref="ConvRowSource"/>'s im2col matrix A [M, K] as a GEMM B micro-panel: rows m0 .. m0+count
/// (grid points), columns k0 .. k0+width, each row NR floats apart. The panel's columns are a few runs of channels
/// of one tap or of several taps ("segments"), found once per call. Rows are then walked one grid row at a time:
/// along a grid row a segment's source pixels are evenly spaced, and which of them lie inside the source (not in
/// the padding) is a range known in advance, so each segment becomes a tight strided copy with zeros either side.
/// </summary>
internal static unsafe class ConvPanelGather
{
    /// <summary>Writes A[m0 + r, k0 + c] to dst[r * nr + c] for r &lt; count, c &lt; width (width &lt;= nr); columns
    /// width .. nr are left as they are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(in ConvRowSource a, int m0, int count, int k0, int width, int nr, float* dst)
    {
        // Segment s: panel columns [column[s], column[s] + length[s]) come from the tap with row offset dh[s]; its
        // source starts srcOffset[s] floats from the grid point's column-0 pixel, and grid columns
        // firstInside[s] .. endInside[s] are the ones whose source column lies inside the source.
        int* column = stackalloc int[nr];
        int* length = stackalloc int[nr];
        int* dh = stackalloc int[nr];
        int* firstInside = stackalloc int[nr];
        int* endInside = stackalloc int[nr];
        long* srcOffset = stackalloc long[nr];
        int segments = 0;
        int tap = k0 / a.SrcC, within = k0 - tap * a.SrcC;
        for (int c = 0; c < width; segments++, tap++, within = 0)
        {
            int run = Math.Min(a.SrcC - within, width - c), dw = a.OffW[tap];
            column[segments] = c;
            length[segments] = run;
            dh[segments] = a.OffH[tap];
            // Source column gw*StepW + dw is inside for -dw <= gw*StepW <= SrcW - 1 - dw.
            int first = dw >= 0 ? 0 : (-dw + a.StepW - 1) / a.StepW;
            int end = a.SrcW - 1 - dw < 0 ? 0 : (a.SrcW - 1 - dw) / a.StepW + 1;
            firstInside[segments] = Math.Min(first, a.GridW);
            endInside[segments] = Math.Clamp(end, firstInside[segments], a.GridW);
            srcOffset[segments] = (long)dw * a.SrcC + within;
            c += run;
        }

        int perImage = a.GridH * a.GridW;
        int n = m0 / perImage, rest = m0 - n * perImage;
        int gh = rest / a.GridW, gw = rest - gh * a.GridW;
        long imageFloats = (long)a.SrcH * a.SrcW * a.SrcC, pixelStride = (long)a.StepW * a.SrcC;
        float* image = a.Src + n * imageFloats;
        while (count > 0)
        {
            int rows = Math.Min(a.GridW - gw, count);
            for (int s = 0; s < segments; s++)
            {
                float* d = dst + column[s];
                int sh = gh * a.StepH + dh[s], len = length[s];
                if ((uint)sh >= (uint)a.SrcH)
                {
                    Zero(d, nr, rows, len);
                    continue;
                }
                int lo = Math.Clamp(firstInside[s] - gw, 0, rows), hi = Math.Clamp(endInside[s] - gw, lo, rows);
                float* src = image + (long)sh * a.SrcW * a.SrcC + (gw + lo) * pixelStride + srcOffset[s];
                Zero(d, nr, lo, len);
                CopyRows(src, pixelStride, d + (long)lo * nr, nr, hi - lo, len);
                Zero(d + (long)hi * nr, nr, rows - hi, len);
            }
            dst += (long)rows * nr;
            count -= rows;
            gw += rows;
            if (gw == a.GridW)
            {
                gw = 0;
                if (++gh == a.GridH)
                {
                    gh = 0;
                    image += imageFloats;
                }
            }
        }
    }

    /// <summary>Copies <paramref name="rows"/> runs of <paramref name="length"/> floats. A run is at most NR floats:
    /// whole vectors copied inline cost less than a memmove call, and the common full 32-float run is two.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRows(float* src, long srcStride, float* dst, int dstStride, int rows, int length)
    {
        if (Vector512.IsHardwareAccelerated && length == 2 * Vector512<float>.Count)
        {
            for (int r = 0; r < rows; r++, src += srcStride, dst += dstStride)
            {
                Vector512.Store(Vector512.Load(src), dst);
                Vector512.Store(Vector512.Load(src + Vector512<float>.Count), dst + Vector512<float>.Count);
            }
            return;
        }
        for (int r = 0; r < rows; r++, src += srcStride, dst += dstStride)
        {
            int i = 0;
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.Store(Vector256.Load(src + i), dst + i);
            for (; i < length; i++) dst[i] = src[i];
        }
    }

    /// <summary>Zeroes <paramref name="rows"/> runs of <paramref name="length"/> floats (padding).</summary>
    private static void Zero(float* dst, int dstStride, int rows, int length)
    {
        for (int r = 0; r < rows; r++, dst += dstStride)
        {
            int i = 0;
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.Store(Vector256<float>.Zero, dst + i);
            for (; i < length; i++) dst[i] = 0f;
        }
    }
}
