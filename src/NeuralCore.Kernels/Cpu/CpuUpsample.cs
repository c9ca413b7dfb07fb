using System.Numerics;
using System.Runtime.InteropServices;
using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Fast float32 upsampling over NHWC: the column source table computed once per call (on the stack), SIMD across
/// channels; output rows (forward) or images (backward, whose scatter into shared input rows would race across rows)
/// on the worker pool.
/// </summary>
internal static unsafe class CpuUpsample
{
    /// <summary>Widest output whose column table goes on the stack (12 bytes an entry); wider ones use the heap.</summary>
    private const int MaxStackColumns = 2048;

    public static void Forward(ReadOnlySpan<float> x, Shape xShape, Span<float> y, Shape yShape, UpsampleAttrs a)
    {
        Span<Tap> columns = yShape[2] <= MaxStackColumns ? stackalloc Tap[yShape[2]] : new Tap[yShape[2]];
        FillTable(columns, a.ScaleW, xShape[2], a.Mode);
        fixed (float* px = x, py = y)
        fixed (Tap* pc = columns)
        {
            var work = new UpsampleWork { X = px, Y = py, Columns = pc, XShape = xShape, YShape = yShape, Attrs = a };
            CpuParallel.For(yShape[0] * yShape[1], x.Length + y.Length, ref work);
        }
    }

    public static void Backward(ReadOnlySpan<float> dy, Shape yShape, Span<float> dx, Shape xShape, UpsampleAttrs a)
    {
        Span<Tap> columns = yShape[2] <= MaxStackColumns ? stackalloc Tap[yShape[2]] : new Tap[yShape[2]];
        FillTable(columns, a.ScaleW, xShape[2], a.Mode);
        dx.Clear();
        fixed (float* pdy = dy, pdx = dx)
        fixed (Tap* pc = columns)
        {
            var work = new UpsampleWork { X = pdx, Y = pdy, Columns = pc, XShape = xShape, YShape = yShape, Attrs = a, Backward = true };
            CpuParallel.For(yShape[0], dx.Length + dy.Length, ref work);
        }
    }

    /// <summary>The two input indices an output index reads along one axis, and the weight of the second.</summary>
    private readonly record struct Tap(int I0, int I1, float T);

    private static void FillTable(Span<Tap> table, int scale, int size, UpsampleMode mode)
    {
        for (int o = 0; o < table.Length; o++) table[o] = TapOf(o, scale, size, mode);
    }

    private static Tap TapOf(int o, int scale, int size, UpsampleMode mode)
    {
        var (i0, i1, t) = ReferenceUpsample.Source(o, scale, size, mode);
        return new Tap(i0, i1, (float)t);
    }

    /// <summary>Forward: output rows [start, end) of Y blended from X. Backward: X is dx, Y is dy, and
    /// [start, end) are images (input rows are shared by neighbouring output rows).</summary>
    private struct UpsampleWork : IWorkItem
    {
        public float* X, Y;
        public Tap* Columns;
        public Shape XShape, YShape;
        public UpsampleAttrs Attrs;
        public bool Backward;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            int outH = YShape[1];
            if (Backward)
                for (int n = start; n < end; n++)
                    for (int oh = 0; oh < outH; oh++) ScatterRow(n * outH + oh);
            else
                for (int row = start; row < end; row++) BlendRow(row);
        }

        private readonly void BlendRow(int row)
        {
            int h = XShape[1], w = XShape[2], channels = XShape[3], outH = YShape[1], outW = YShape[2];
            int n = row / outH;
            var (h0, h1, th) = TapOf(row - n * outH, Attrs.ScaleH, h, Attrs.Mode);
            float* top = X + (long)(n * h + h0) * w * channels, bottom = X + (long)(n * h + h1) * w * channels;
            for (int ow = 0; ow < outW; ow++)
            {
                var (w0, w1, tw) = Columns[ow];
                var dst = new Span<float>(Y + ((long)row * outW + ow) * channels, channels);
                if (Attrs.Mode == UpsampleMode.Nearest)
                {
                    new ReadOnlySpan<float>(top + w0 * channels, channels).CopyTo(dst);
                    continue;
                }
                Blend(dst, Cell(top, w0, channels), Cell(top, w1, channels), Cell(bottom, w0, channels), Cell(bottom, w1, channels),
                    (1 - th) * (1 - tw), (1 - th) * tw, th * (1 - tw), th * tw);
            }
        }

        private readonly void ScatterRow(int row)
        {
            int h = XShape[1], w = XShape[2], channels = XShape[3], outH = YShape[1], outW = YShape[2];
            int n = row / outH;
            var (h0, h1, th) = TapOf(row - n * outH, Attrs.ScaleH, h, Attrs.Mode);
            float* top = X + (long)(n * h + h0) * w * channels, bottom = X + (long)(n * h + h1) * w * channels;
            for (int ow = 0; ow < outW; ow++)
            {
                var (w0, w1, tw) = Columns[ow];
                var g = new ReadOnlySpan<float>(Y + ((long)row * outW + ow) * channels, channels);
                AddScaled(Cell(top, w0, channels), g, (1 - th) * (1 - tw));
                if (Attrs.Mode == UpsampleMode.Nearest) continue;
                AddScaled(Cell(top, w1, channels), g, (1 - th) * tw);
                AddScaled(Cell(bottom, w0, channels), g, th * (1 - tw));
                AddScaled(Cell(bottom, w1, channels), g, th * tw);
            }
        }
    }

    private static Span<float> Cell(float* row, int column, int channels) => new(row + (long)column * channels, channels);

    private static void Blend(Span<float> dst, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, ReadOnlySpan<float> d,
        float wa, float wb, float wc, float wd)
    {
        var dv = MemoryMarshal.Cast<float, Vector<float>>(dst);
        var av = MemoryMarshal.Cast<float, Vector<float>>(a);
        var bv = MemoryMarshal.Cast<float, Vector<float>>(b);
        var cv = MemoryMarshal.Cast<float, Vector<float>>(c);
        var ev = MemoryMarshal.Cast<float, Vector<float>>(d);
        for (int j = 0; j < dv.Length; j++) dv[j] = av[j] * wa + bv[j] * wb + cv[j] * wc + ev[j] * wd;
        for (int k = dv.Length * Vector<float>.Count; k < dst.Length; k++) dst[k] = a[k] * wa + b[k] * wb + c[k] * wc + d[k] * wd;
    }

    private static void AddScaled(Span<float> dst, ReadOnlySpan<float> src, float weight)
    {
        var dv = MemoryMarshal.Cast<float, Vector<float>>(dst);
        var sv = MemoryMarshal.Cast<float, Vector<float>>(src);
        for (int j = 0; j < dv.Length; j++) dv[j] += sv[j] * weight;
        for (int k = dv.Length * Vector<float>.Count; k < dst.Length; k++) dst[k] += src[k] * weight;
    }
}
