using System.Runtime.Intrinsics;
using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Fast float32 bilinear resize (half-pixel centres) over NHWC, separable: an input row is first resized along the
/// width with a tap table computed once per call (<see cref="ReferenceResize.Source{T}"/>: same taps and weights),
/// then each output row blends two such rows, a SIMD pass over OW·C contiguous floats. The reference blends along
/// the width first too ((1-tw) a + tw b per row, then (1-th) top + th bottom), so every output is bit-identical to
/// it. Output rows run on the worker pool; each chunk keeps its last two width-resized rows, so a row shared by
/// neighbouring output rows is resized once per chunk.
/// </summary>
internal static unsafe class CpuResize
{
    public static void Forward(ReadOnlySpan<float> x, Shape xShape, Span<float> y, Shape yShape)
    {
        int outW = yShape[2];
        var columns = new Column[outW];
        for (int j = 0; j < outW; j++)
        {
            var (w0, w1, t) = ReferenceResize.Source<float>(j, xShape[2], outW);
            columns[j] = new Column(w0, w1, 1 - t, t);
        }
        fixed (float* px = x, py = y)
        fixed (Column* pc = columns)
        {
            var work = new RowWork { X = px, Y = py, Columns = pc, XShape = xShape, YShape = yShape };
            CpuParallel.For(yShape[0] * yShape[1], x.Length + (long)y.Length * 4, ref work);
        }
    }

    /// <summary>The two input columns an output column reads and their weights (1 - t, t).</summary>
    private readonly record struct Column(int W0, int W1, float Left, float Right);

    /// <summary>Output rows [start, end) (item = image · OH + output row).</summary>
    private struct RowWork : IWorkItem
    {
        public float* X, Y;
        public Column* Columns;
        public Shape XShape, YShape;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            int h = XShape[1], outH = YShape[1], length = YShape[2] * YShape[3];
            var rows = new RowCache(length);
            for (int item = start; item < end; item++)
            {
                int n = item / outH;
                var (h0, h1, th) = ReferenceResize.Source<float>(item - n * outH, h, outH);
                float[] top = rows.Get(n * h + h0, n * h + h1, this), bottom = rows.Get(n * h + h1, n * h + h0, this);
                fixed (float* pt = top, pb = bottom)
                {
                    float* y = Y + (long)item * length;
                    if (Vector512.IsHardwareAccelerated) Blend<Simd512, Vector512<float>>(pt, pb, y, length, 1 - th, th);
                    else Blend<Simd256, Vector256<float>>(pt, pb, y, length, 1 - th, th);
                }
            }
        }

        /// <summary>Input row <paramref name="row"/> (image · H + h) resized along the width into <paramref name="dst"/> [OW · C].</summary>
        public readonly void ResizeRow(int row, float[] dst)
        {
            int w = XShape[2], channels = XShape[3];
            float* src = X + (long)row * w * channels;
            for (int j = 0, o = 0; j < YShape[2]; j++)
            {
                var col = Columns[j];
                float* a = src + (long)col.W0 * channels, b = src + (long)col.W1 * channels;
                for (int c = 0; c < channels; c++, o++) dst[o] = col.Left * a[c] + col.Right * b[c];
            }
        }
    }

    /// <summary>The last two width-resized input rows of one chunk.</summary>
    private sealed class RowCache(int length)
    {
        private readonly float[][] _rows = [new float[length], new float[length]];
        private readonly int[] _ids = [-1, -1];

        /// <summary>Row <paramref name="row"/>, resized if not held; the slot holding <paramref name="keep"/> is not reused.</summary>
        public float[] Get(int row, int keep, in RowWork work)
        {
            for (int s = 0; s < 2; s++)
                if (_ids[s] == row) return _rows[s];
            int slot = _ids[0] == keep ? 1 : 0;
            work.ResizeRow(row, _rows[slot]);
            _ids[slot] = row;
            return _rows[slot];
        }
    }

    /// <summary>y = (1 - th) · top + th · bottom over <paramref name="length"/> floats.</summary>
    private static void Blend<S, V>(float* top, float* bottom, float* y, int length, float upper, float lower)
        where S : struct, ISimd<V> where V : struct
    {
        V u = S.Create(upper), l = S.Create(lower);
        int i = 0;
        for (; i + S.Count <= length; i += S.Count) S.Store(S.Add(S.Multiply(u, S.Load(top + i)), S.Multiply(l, S.Load(bottom + i))), y + i);
        for (; i < length; i++) y[i] = upper * top[i] + lower * bottom[i];
    }
}
