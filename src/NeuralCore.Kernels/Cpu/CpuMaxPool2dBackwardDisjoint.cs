using System.Runtime.Intrinsics;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// max_pool2d backward when windows do not overlap (kernel &lt;= stride on both axes: the U-Net 2x2 s2 pools), with
/// AVX-512 or AVX2 (the window loop is generic over <see cref="ISimd{V}"/>). Each
/// dx element then belongs to at most one window, so dx is written directly, never accumulated: per window and
/// channel vector, find the maximum, then hand dy to the first cell that holds it (NaN counts as the maximum, as
/// in the forward) and 0 to the others. Output rows run on the worker pool; each also zeroes the band of input
/// rows its windows do not reach (only when the windows do not tile the input), so dx is never cleared in a serial
/// pass.
/// </summary>
internal static unsafe class CpuMaxPool2dBackwardDisjoint
{
    public static bool Applies(Pool2dAttrs p) =>
        p.KernelH <= p.StrideH && p.KernelW <= p.StrideW && Vector256.IsHardwareAccelerated;

    public static void Backward(float* x, Shape xShape, float* dy, Shape yShape, float* dx, Pool2dAttrs p)
    {
        int h = xShape[1], w = xShape[2];
        bool tiles = p.KernelH == p.StrideH && p.KernelW == p.StrideW && p.PadTop == 0 && p.PadLeft == 0
            && h == yShape[1] * p.StrideH && w == yShape[2] * p.StrideW;
        var work = new RowWork { X = x, Dy = dy, Dx = dx, H = h, W = w, OutH = yShape[1], OutW = yShape[2], Channels = yShape[3], Attrs = p, Tiles = tiles };
        CpuParallel.For(yShape[0] * yShape[1], ref work);
    }

    private struct RowWork : IWorkItem
    {
        public float* X, Dy, Dx;
        public int H, W, OutH, OutW, Channels;
        public Pool2dAttrs Attrs;
        public bool Tiles;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            for (int row = start; row < end; row++)
            {
                int b = row / OutH, oh = row % OutH;
                if (!Tiles) ClearBand(b, oh);
                for (int ow = 0; ow < OutW; ow++)
                {
                    var (ih0, ih1, iw0, iw1) = Attrs.Window(oh, ow, H, W);
                    float* g = Dy + ((long)row * OutW + ow) * Channels;
                    int c = Vector512.IsHardwareAccelerated
                        ? WindowVectors<Simd512, Vector512<float>>((long)b * H, ih0, ih1, iw0, iw1, g)
                        : WindowVectors<Simd256, Vector256<float>>((long)b * H, ih0, ih1, iw0, iw1, g);
                    WindowTail(c, (long)b * H, ih0, ih1, iw0, iw1, g);
                }
            }
        }

        /// <summary>Zeroes the input rows owned by output row oh: from its window start to the next one's (the last
        /// output row owns the rest), so the bands partition [0, H).</summary>
        private readonly void ClearBand(int b, int oh)
        {
            int first = oh == 0 ? 0 : Math.Clamp(oh * Attrs.StrideH - Attrs.PadTop, 0, H);
            int last = oh == OutH - 1 ? H : Math.Clamp((oh + 1) * Attrs.StrideH - Attrs.PadTop, 0, H);
            long rowLength = (long)W * Channels;
            new Span<float>(Dx + ((long)b * H + first) * rowLength, (int)((last - first) * rowLength)).Clear();
        }

        /// <summary>The window's whole channel vectors; returns the first channel of the scalar tail.</summary>
        private readonly int WindowVectors<S, V>(long imageRow, int ih0, int ih1, int iw0, int iw1, float* g)
            where S : struct, ISimd<V> where V : struct
        {
            int c = 0;
            for (; c + S.Count <= Channels; c += S.Count)
            {
                var best = S.Load(Cell(imageRow, ih0, iw0) + c);
                for (int ih = ih0; ih < ih1; ih++)
                    for (int iw = iw0; iw < iw1; iw++)
                    {
                        var v = S.Load(Cell(imageRow, ih, iw) + c);
                        var nanOverNumber = S.AndNot(S.EqualTo(best, best), S.EqualTo(v, v));
                        best = S.Select(S.Or(S.GreaterThan(v, best), nanOverNumber), v, best);
                    }
                var grad = S.Load(g + c);
                var bestIsNaN = S.Not(S.EqualTo(best, best));
                var taken = S.Zero;
                for (int ih = ih0; ih < ih1; ih++)
                    for (int iw = iw0; iw < iw1; iw++)
                    {
                        var v = S.Load(Cell(imageRow, ih, iw) + c);
                        var hit = S.AndNot(S.Or(S.EqualTo(v, best), S.AndNot(bestIsNaN, S.EqualTo(v, v))), taken);
                        S.Store(S.And(grad, hit), Cell(Dx, imageRow, ih, iw) + c);
                        taken = S.Or(taken, hit);
                    }
            }
            return c;
        }

        /// <summary>Channels [c, Channels) one at a time, by the same rule.</summary>
        private readonly void WindowTail(int c, long imageRow, int ih0, int ih1, int iw0, int iw1, float* g)
        {
            for (; c < Channels; c++)
            {
                float best = Cell(imageRow, ih0, iw0)[c];
                for (int ih = ih0; ih < ih1; ih++)
                    for (int iw = iw0; iw < iw1; iw++)
                    {
                        float v = Cell(imageRow, ih, iw)[c];
                        if (v > best || (float.IsNaN(v) && !float.IsNaN(best))) best = v;
                    }
                bool taken = false;
                for (int ih = ih0; ih < ih1; ih++)
                    for (int iw = iw0; iw < iw1; iw++)
                    {
                        float v = Cell(imageRow, ih, iw)[c];
                        bool hit = !taken && (v == best || (float.IsNaN(v) && float.IsNaN(best)));
                        Cell(Dx, imageRow, ih, iw)[c] = hit ? g[c] : 0f;
                        taken |= hit;
                    }
            }
        }

        private readonly float* Cell(long imageRow, int ih, int iw) => Cell(X, imageRow, ih, iw);

        private readonly float* Cell(float* t, long imageRow, int ih, int iw) => t + ((imageRow + ih) * W + iw) * Channels;
    }
}
