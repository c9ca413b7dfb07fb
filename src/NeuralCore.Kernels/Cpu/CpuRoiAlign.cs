using System.Runtime.Intrinsics;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Fast float32 roi_align over NHWC. Each RoI's bilinear samples are worked out once (<see cref="RoiSampleGrid"/>:
/// per-axis tables, a bin's taps their products) and reused for every channel: a tap is four contiguous runs of C
/// floats, so the channel loop is SIMD (AVX-512 or AVX2, four vectors at a time). Each lane does the reference's
/// float operations in its order (tap by tap, ((w1 x1 + w2 x2) + w3 x3) + w4 x4 added to the sum, then / count;
/// backward (dy · w) / count added corner by corner), and C# never fuses a multiply and an add, so results are
/// bit-identical to the reference for finite features. Two exact shortcuts: samples beyond a pixel outside the map
/// are skipped (their weights are 0, and adding ±0 never changes a sum that starts at +0), and when the sample count
/// is a power of two (sampling ratio 2: 4) the division is a multiplication by its exact reciprocal.
/// Forward: RoIs on the worker pool. Backward: channel ranges on the worker pool, each thread clearing its slice of
/// dx and walking every RoI in the reference's order, so every dx element gets its shares in the same order, no locks.
/// </summary>
internal static unsafe class CpuRoiAlign
{
    public static void Forward(ReadOnlySpan<float> x, Shape xShape, ReadOnlySpan<float> rois, Span<float> y, RoiAlignAttrs a)
    {
        CheckBatchIndices("roi_align", rois, xShape);
        int k = rois.Length / 5;
        fixed (float* px = x, pr = rois, py = y)
        {
            var work = new ForwardWork { X = px, Rois = pr, Y = py, XShape = xShape, Attrs = a };
            CpuParallel.For(k, (long)y.Length * 16, ref work);
        }
    }

    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> rois, Span<float> dx, Shape xShape, RoiAlignAttrs a)
    {
        CheckBatchIndices("roi_align_backward", rois, xShape);
        int channels = xShape[3];
        int lanes = Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count;
        fixed (float* pdy = dy, pr = rois, pdx = dx)
        {
            var work = new BackwardWork { Dy = pdy, Rois = pr, Dx = pdx, RoiCount = rois.Length / 5, XShape = xShape, Attrs = a, Lanes = lanes };
            // Split over channel vectors: a thread owns whole vectors, so no two threads store into the same lanes.
            CpuParallel.For((channels + lanes - 1) / lanes, (long)dx.Length + (long)dy.Length * 16, ref work);
        }
    }

    /// <summary>The kernels read through pointers, so a batch index outside x (the reference's span would throw) is
    /// rejected here, with the RoI named, before anything is read.</summary>
    private static void CheckBatchIndices(string op, ReadOnlySpan<float> rois, Shape xShape)
    {
        for (int k = 0; k < rois.Length / 5; k++)
        {
            int batch = (int)rois[k * 5];
            OpCheck.That(batch >= 0 && batch < xShape[0], op, $"RoI {k} has batch index {rois[k * 5]}, but the features {xShape} hold {xShape[0]} image(s)");
        }
    }

    /// <summary>RoIs [start, end): all their bins.</summary>
    private struct ForwardWork : IWorkItem
    {
        public float* X, Rois, Y;
        public Shape XShape;
        public RoiAlignAttrs Attrs;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            var grid = new RoiSampleGrid();
            int channels = XShape[3];
            for (int k = start; k < end; k++)
            {
                grid.Fill(new ReadOnlySpan<float>(Rois + k * 5, 5), XShape, Attrs);
                for (int ph = 0; ph < Attrs.PooledH; ph++)
                    for (int pw = 0; pw < Attrs.PooledW; pw++)
                    {
                        float* y = Y + (((long)k * Attrs.PooledH + ph) * Attrs.PooledW + pw) * channels;
                        if (Vector512.IsHardwareAccelerated) Pool<Simd512, Vector512<float>>(grid.Taps(ph, pw), X, y, channels, grid);
                        else Pool<Simd256, Vector256<float>>(grid.Taps(ph, pw), X, y, channels, grid);
                    }
            }
        }
    }

    /// <summary>y[c] = (sum over the taps of w1 x1[c] + w2 x2[c] + w3 x3[c] + w4 x4[c]) / count, for c in [0, C).</summary>
    private static void Pool<S, V>(ReadOnlySpan<RoiSampleGrid.Tap> taps, float* x, float* y, int channels, RoiSampleGrid grid)
        where S : struct, ISimd<V> where V : struct
    {
        V factor = MeanFactor<S, V>(grid);
        bool multiply = grid.CountIsPowerOfTwo;
        int c = 0;
        for (; c + 4 * S.Count <= channels; c += 4 * S.Count)
        {
            V s0 = S.Zero, s1 = S.Zero, s2 = S.Zero, s3 = S.Zero;
            foreach (var t in taps)
            {
                s0 = S.Add(s0, Sample<S, V>(t, x, c));
                s1 = S.Add(s1, Sample<S, V>(t, x, c + S.Count));
                s2 = S.Add(s2, Sample<S, V>(t, x, c + 2 * S.Count));
                s3 = S.Add(s3, Sample<S, V>(t, x, c + 3 * S.Count));
            }
            S.Store(Mean<S, V>(s0, factor, multiply), y + c);
            S.Store(Mean<S, V>(s1, factor, multiply), y + c + S.Count);
            S.Store(Mean<S, V>(s2, factor, multiply), y + c + 2 * S.Count);
            S.Store(Mean<S, V>(s3, factor, multiply), y + c + 3 * S.Count);
        }
        for (; c + S.Count <= channels; c += S.Count)
        {
            V s = S.Zero;
            foreach (var t in taps) s = S.Add(s, Sample<S, V>(t, x, c));
            S.Store(Mean<S, V>(s, factor, multiply), y + c);
        }
        for (; c < channels; c++)
        {
            float s = 0;
            foreach (var t in taps) s += t.W1 * x[t.I1 + c] + t.W2 * x[t.I2 + c] + t.W3 * x[t.I3 + c] + t.W4 * x[t.I4 + c];
            y[c] = s / grid.Count;
        }
    }

    /// <summary>One sample's bilinear value at channels [c, c + Count), summed in the reference's order.</summary>
    private static V Sample<S, V>(in RoiSampleGrid.Tap t, float* x, int c) where S : struct, ISimd<V> where V : struct =>
        S.Add(S.Add(S.Add(S.Multiply(S.Create(t.W1), S.Load(x + t.I1 + c)), S.Multiply(S.Create(t.W2), S.Load(x + t.I2 + c))),
            S.Multiply(S.Create(t.W3), S.Load(x + t.I3 + c))), S.Multiply(S.Create(t.W4), S.Load(x + t.I4 + c)));

    /// <summary>The vector <see cref="Mean{S, V}"/> takes: 1 / count when multiplying by it is exact, else count.</summary>
    private static V MeanFactor<S, V>(RoiSampleGrid grid) where S : struct, ISimd<V> where V : struct =>
        S.Create(grid.CountIsPowerOfTwo ? 1 / grid.Count : grid.Count);

    /// <summary>value / count (<paramref name="factor"/> from <see cref="MeanFactor{S, V}"/>).</summary>
    private static V Mean<S, V>(V value, V factor, bool multiply) where S : struct, ISimd<V> where V : struct =>
        multiply ? S.Multiply(value, factor) : S.Divide(value, factor);

    /// <summary>Channel vectors [start, end) of dx: cleared, then every RoI, bin and sample in the reference's order.</summary>
    private struct BackwardWork : IWorkItem
    {
        public float* Dy, Rois, Dx;
        public int RoiCount, Lanes;
        public Shape XShape;
        public RoiAlignAttrs Attrs;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            int channels = XShape[3], c0 = start * Lanes, c1 = Math.Min(end * Lanes, channels);
            long pixels = (long)XShape[0] * XShape[1] * XShape[2];
            for (long p = 0; p < pixels; p++) new Span<float>(Dx + p * channels + c0, c1 - c0).Clear();
            var grid = new RoiSampleGrid();
            for (int k = 0, bin = 0; k < RoiCount; k++)
            {
                grid.Fill(new ReadOnlySpan<float>(Rois + k * 5, 5), XShape, Attrs);
                for (int ph = 0; ph < Attrs.PooledH; ph++)
                    for (int pw = 0; pw < Attrs.PooledW; pw++, bin++)
                    {
                        float* g = Dy + (long)bin * channels;
                        if (Vector512.IsHardwareAccelerated) Spread<Simd512, Vector512<float>>(grid.Taps(ph, pw), g, Dx, c0, c1, grid);
                        else Spread<Simd256, Vector256<float>>(grid.Taps(ph, pw), g, Dx, c0, c1, grid);
                    }
            }
        }
    }

    /// <summary>dx[corner + c] += (g[c] · w) / count for each in-map sample's four corners, c in [c0, c1).</summary>
    private static void Spread<S, V>(ReadOnlySpan<RoiSampleGrid.Tap> taps, float* g, float* dx, int c0, int c1, RoiSampleGrid grid)
        where S : struct, ISimd<V> where V : struct
    {
        V factor = MeanFactor<S, V>(grid);
        bool multiply = grid.CountIsPowerOfTwo;
        float count = grid.Count;
        foreach (var t in taps)
        {
            V w1 = S.Create(t.W1), w2 = S.Create(t.W2), w3 = S.Create(t.W3), w4 = S.Create(t.W4);
            int c = c0;
            for (; c + S.Count <= c1; c += S.Count)
            {
                V gv = S.Load(g + c);
                AddShare<S, V>(dx + t.I1 + c, gv, w1, factor, multiply);
                AddShare<S, V>(dx + t.I2 + c, gv, w2, factor, multiply);
                AddShare<S, V>(dx + t.I3 + c, gv, w3, factor, multiply);
                AddShare<S, V>(dx + t.I4 + c, gv, w4, factor, multiply);
            }
            for (; c < c1; c++)
            {
                dx[t.I1 + c] += g[c] * t.W1 / count;
                dx[t.I2 + c] += g[c] * t.W2 / count;
                dx[t.I3 + c] += g[c] * t.W3 / count;
                dx[t.I4 + c] += g[c] * t.W4 / count;
            }
        }
    }

    private static void AddShare<S, V>(float* dx, V g, V w, V factor, bool multiply) where S : struct, ISimd<V> where V : struct =>
        S.Store(S.Add(S.Load(dx), Mean<S, V>(S.Multiply(g, w), factor, multiply)), dx);
}
