using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Packs a block of a <see cref="ConvRowSource"/>'s im2col matrix A [M, K] as a GEMM B micro-panel: rows m0 .. m0+count
/// (grid points), columns k0 .. k0+width, each row NR floats apart. A panel column range covers a few runs of
/// channels of one tap or several taps (a "segment" each); the segments are found once per panel and each row is
/// then a handful of contiguous copies, walking the grid point by point instead of dividing per row.
/// </summary>
internal static unsafe class ConvPanelGather
{
    /// <summary>Writes A[m0 + r, k0 + c] to dst[r * nr + c] for r &lt; count, c &lt; width (width &lt;= nr); columns
    /// width .. nr are left as they are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(in ConvRowSource a, int m0, int count, int k0, int width, int nr, float* dst)
    {
        // Segment s: columns [column[s], column[s] + length[s]) of the panel come from tap offsets (dh[s], dw[s]) and
        // start at source offset srcOffset[s] (floats from the grid point's top-left source pixel).
        int* column = stackalloc int[nr];
        int* length = stackalloc int[nr];
        int* dh = stackalloc int[nr];
        int* dw = stackalloc int[nr];
        long* srcOffset = stackalloc long[nr];
        int segments = 0;
        int tap = k0 / a.SrcC, within = k0 - tap * a.SrcC;
        for (int c = 0; c < width; segments++)
        {
            int run = Math.Min(a.SrcC - within, width - c);
            column[segments] = c;
            length[segments] = run;
            dh[segments] = a.OffH[tap];
            dw[segments] = a.OffW[tap];
            srcOffset[segments] = ((long)a.OffH[tap] * a.SrcW + a.OffW[tap]) * a.SrcC + within;
            c += run;
            tap++;
            within = 0;
        }

        int perImage = a.GridH * a.GridW;
        int n = m0 / perImage, rest = m0 - n * perImage;
        int gh = rest / a.GridW, gw = rest - gh * a.GridW;
        long imageFloats = (long)a.SrcH * a.SrcW * a.SrcC;
        float* image = a.Src + n * imageFloats;
        for (int r = 0; r < count; r++, dst += nr)
        {
            int h0 = gh * a.StepH, w0 = gw * a.StepW;
            float* origin = image + ((long)h0 * a.SrcW + w0) * a.SrcC;
            for (int s = 0; s < segments; s++)
            {
                int sh = h0 + dh[s], sw = w0 + dw[s];
                if ((uint)sh < (uint)a.SrcH && (uint)sw < (uint)a.SrcW)
                    Copy(origin + srcOffset[s], dst + column[s], length[s]);
                else
                    new Span<float>(dst + column[s], length[s]).Clear();
            }
            if (++gw == a.GridW)
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

    /// <summary>A run is at most NR floats: whole vectors copied inline cost less than a memmove call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* src, float* dst, int length)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
                Vector512.Store(Vector512.Load(src + i), dst + i);
        for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            Vector256.Store(Vector256.Load(src + i), dst + i);
        for (; i < length; i++) dst[i] = src[i];
    }
}
