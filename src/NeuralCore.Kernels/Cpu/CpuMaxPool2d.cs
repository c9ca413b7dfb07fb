using System.Numerics;
using System.Runtime.InteropServices;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Fast float32 max pooling over NHWC: SIMD across channels (a window cell is a contiguous run of C floats),
/// output rows on the worker pool. Backward recomputes each window's first maximum with vector compares, split over
/// output rows when windows do not overlap vertically, whole images otherwise.
/// </summary>
internal static unsafe class CpuMaxPool2d
{
    public static void Forward(ReadOnlySpan<float> x, Shape xShape, Span<float> y, Shape yShape, Pool2dAttrs p)
    {
        fixed (float* px = x, py = y)
        {
            var work = new ForwardWork { X = px, Y = py, Geometry = new PoolGeometry(xShape, yShape, p) };
            CpuParallel.For(yShape[0] * yShape[1], x.Length + y.Length, ref work);
        }
    }

    public static void Backward(ReadOnlySpan<float> x, Shape xShape, ReadOnlySpan<float> dy, Shape yShape, Span<float> dx, Pool2dAttrs p)
    {
        if (CpuMaxPool2dBackwardDisjoint.Applies(p))
        {
            fixed (float* px = x, pdy = dy, pdx = dx) CpuMaxPool2dBackwardDisjoint.Backward(px, xShape, pdy, yShape, pdx, p);
            return;
        }
        dx.Clear();
        var geometry = new PoolGeometry(xShape, yShape, p);
        fixed (float* px = x, pdy = dy, pdx = dx)
        {
            var work = new BackwardWork { X = px, Dy = pdy, Dx = pdx, Geometry = geometry, RowsPerTask = geometry.RowsPerTask };
            CpuParallel.For(yShape[0] * yShape[1] / work.RowsPerTask, x.Length + dy.Length, ref work);
        }
    }

    /// <summary>Output rows [start, end): each window's lane-wise maximum.</summary>
    private struct ForwardWork : IWorkItem
    {
        public float* X, Y;
        public PoolGeometry Geometry;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            int outW = Geometry.OutW, channels = Geometry.Channels;
            for (int row = start; row < end; row++)
                for (int ow = 0; ow < outW; ow++)
                {
                    var dst = new Span<float>(Y + ((long)row * outW + ow) * channels, channels);
                    var (b, ih0, ih1, iw0, iw1) = Geometry.Window(row, ow);
                    for (int ih = ih0; ih < ih1; ih++)
                        for (int iw = iw0; iw < iw1; iw++)
                        {
                            var src = new ReadOnlySpan<float>(X + Geometry.CellOffset(b, ih, iw), channels);
                            if (ih == ih0 && iw == iw0) src.CopyTo(dst);
                            else MaxInto(dst, src);
                        }
                }
        }
    }

    /// <summary>Tasks [start, end) of RowsPerTask output rows: dy goes to each window's first maximum, per channel.</summary>
    private struct BackwardWork : IWorkItem
    {
        public float* X, Dy, Dx;
        public PoolGeometry Geometry;
        public int RowsPerTask;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            int outW = Geometry.OutW, channels = Geometry.Channels;
            Span<int> bestIndex = stackalloc int[channels];
            Span<float> bestValue = stackalloc float[channels];
            for (int row = start * RowsPerTask; row < end * RowsPerTask; row++)
                for (int ow = 0; ow < outW; ow++)
                {
                    var (b, ih0, ih1, iw0, iw1) = Geometry.Window(row, ow);
                    for (int ih = ih0; ih < ih1; ih++)
                        for (int iw = iw0; iw < iw1; iw++)
                        {
                            int cell = (int)Geometry.CellOffset(b, ih, iw);
                            var src = new ReadOnlySpan<float>(X + cell, channels);
                            if (ih == ih0 && iw == iw0)
                            {
                                src.CopyTo(bestValue);
                                bestIndex.Fill(cell);
                            }
                            else ArgMaxInto(bestValue, bestIndex, src, cell);
                        }
                    float* g = Dy + ((long)row * outW + ow) * channels;
                    for (int c = 0; c < channels; c++) Dx[bestIndex[c] + c] += g[c];
                }
        }
    }

    private static void MaxInto(Span<float> dst, ReadOnlySpan<float> src)
    {
        var dv = MemoryMarshal.Cast<float, Vector<float>>(dst);
        var sv = MemoryMarshal.Cast<float, Vector<float>>(src);
        for (int j = 0; j < dv.Length; j++) dv[j] = Greater(sv[j], dv[j], out _);
        for (int c = dv.Length * Vector<float>.Count; c < dst.Length; c++)
            if (src[c] > dst[c] || (float.IsNaN(src[c]) && !float.IsNaN(dst[c]))) dst[c] = src[c];
    }

    /// <summary>Where src beats best (strictly greater, or a first NaN), take its value and the cell offset.</summary>
    private static void ArgMaxInto(Span<float> best, Span<int> index, ReadOnlySpan<float> src, int cell)
    {
        var bv = MemoryMarshal.Cast<float, Vector<float>>(best);
        var iv = MemoryMarshal.Cast<int, Vector<int>>(index);
        var sv = MemoryMarshal.Cast<float, Vector<float>>(src);
        var cellVector = new Vector<int>(cell);
        for (int j = 0; j < bv.Length; j++)
        {
            bv[j] = Greater(sv[j], bv[j], out var wins);
            iv[j] = Vector.ConditionalSelect(wins, cellVector, iv[j]);
        }
        for (int c = bv.Length * Vector<float>.Count; c < best.Length; c++)
            if (src[c] > best[c] || (float.IsNaN(src[c]) && !float.IsNaN(best[c])))
            {
                best[c] = src[c];
                index[c] = cell;
            }
    }

    /// <summary>Lane-wise: candidate where it beats current (greater, or NaN over a number), current elsewhere.</summary>
    private static Vector<float> Greater(Vector<float> candidate, Vector<float> current, out Vector<int> wins)
    {
        var candidateIsNumber = Vector.AsVectorInt32(Vector.Equals(candidate, candidate));
        var currentIsNumber = Vector.AsVectorInt32(Vector.Equals(current, current));
        wins = Vector.GreaterThan(candidate, current) | Vector.AndNot(currentIsNumber, candidateIsNumber);
        return Vector.ConditionalSelect(wins, candidate, current);
    }
}
