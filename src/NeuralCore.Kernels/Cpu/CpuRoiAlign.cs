using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Fast float32 roi_align over NHWC. A bin's bilinear samples (four tap offsets and weights each, taken from
/// <see cref="ReferenceRoiAlign.Taps{T}"/>, so the same points and weights) are worked out once and reused for every
/// channel: a tap is four contiguous runs of C floats, so the channel loop is SIMD (AVX-512 or AVX2, four vectors
/// at a time). Each lane does the reference's float operations in its order (tap by tap, ((w1 x1 + w2 x2) + w3 x3) +
/// w4 x4 added to the sum, then / count; backward (dy · w) / count added corner by corner), and C# never fuses a
/// multiply and an add, so results are bit-identical to the reference for finite features. Samples beyond a pixel
/// outside the map are skipped: their weights are 0, and adding ±0 never changes a sum that starts at +0.
/// Forward: (RoI, bin row) pairs on the worker pool. Backward: channel ranges on the worker pool, each thread
/// walking every RoI in the reference's order, so every dx element gets its shares in the same order without locks.
/// </summary>
internal static unsafe class CpuRoiAlign
{
    public static void Forward(ReadOnlySpan<float> x, Shape xShape, ReadOnlySpan<float> rois, Span<float> y, RoiAlignAttrs a)
    {
        int k = rois.Length / 5;
        fixed (float* px = x, pr = rois, py = y)
        {
            var work = new ForwardWork { X = px, Rois = pr, Y = py, RoiCount = k, XShape = xShape, Attrs = a };
            CpuParallel.For(k * a.PooledH, (long)y.Length * 16, ref work);
        }
    }

    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> rois, Span<float> dx, Shape xShape, RoiAlignAttrs a)
    {
        dx.Clear();
        int channels = xShape[3];
        int lanes = Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count;
        fixed (float* pdy = dy, pr = rois, pdx = dx)
        {
            var work = new BackwardWork { Dy = pdy, Rois = pr, Dx = pdx, RoiCount = rois.Length / 5, XShape = xShape, Attrs = a, Lanes = lanes };
            // Split over channel vectors: a thread owns whole vectors, so its stores never share a cache line's lanes with another's.
            CpuParallel.For((channels + lanes - 1) / lanes, (long)dy.Length * 16, ref work);
        }
    }

    /// <summary>Bin rows [start, end) of all RoIs (item = RoI · PooledH + ph).</summary>
    private struct ForwardWork : IWorkItem
    {
        public float* X, Rois, Y;
        public int RoiCount;
        public Shape XShape;
        public RoiAlignAttrs Attrs;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            var rois = new ReadOnlySpan<float>(Rois, RoiCount * 5);
            var taps = new List<ReferenceRoiAlign.Tap<float>>();
            int channels = XShape[3];
            for (int item = start; item < end; item++)
            {
                int k = item / Attrs.PooledH, ph = item - k * Attrs.PooledH;
                for (int pw = 0; pw < Attrs.PooledW; pw++)
                {
                    float count = ReferenceRoiAlign.Taps(rois, k, ph, pw, XShape, Attrs, taps);
                    float* y = Y + ((long)item * Attrs.PooledW + pw) * channels;
                    var inside = CollectionsMarshal.AsSpan(taps);
                    if (Vector512.IsHardwareAccelerated) Pool<Simd512, Vector512<float>>(inside, X, y, channels, count);
                    else Pool<Simd256, Vector256<float>>(inside, X, y, channels, count);
                }
            }
        }
    }

    /// <summary>y[c] = (sum over the taps of w1 x1[c] + w2 x2[c] + w3 x3[c] + w4 x4[c]) / count, for c in [0, C).</summary>
    private static void Pool<S, V>(ReadOnlySpan<ReferenceRoiAlign.Tap<float>> taps, float* x, float* y, int channels, float count)
        where S : struct, ISimd<V> where V : struct
    {
        V divisor = S.Create(count);
        int c = 0;
        for (; c + 4 * S.Count <= channels; c += 4 * S.Count)
        {
            V s0 = S.Zero, s1 = S.Zero, s2 = S.Zero, s3 = S.Zero;
            foreach (var t in taps)
            {
                if (!t.Inside) continue;
                s0 = S.Add(s0, Sample<S, V>(t, x, c));
                s1 = S.Add(s1, Sample<S, V>(t, x, c + S.Count));
                s2 = S.Add(s2, Sample<S, V>(t, x, c + 2 * S.Count));
                s3 = S.Add(s3, Sample<S, V>(t, x, c + 3 * S.Count));
            }
            S.Store(S.Divide(s0, divisor), y + c);
            S.Store(S.Divide(s1, divisor), y + c + S.Count);
            S.Store(S.Divide(s2, divisor), y + c + 2 * S.Count);
            S.Store(S.Divide(s3, divisor), y + c + 3 * S.Count);
        }
        for (; c + S.Count <= channels; c += S.Count)
        {
            V s = S.Zero;
            foreach (var t in taps)
                if (t.Inside) s = S.Add(s, Sample<S, V>(t, x, c));
            S.Store(S.Divide(s, divisor), y + c);
        }
        for (; c < channels; c++)
        {
            float s = 0;
            foreach (var t in taps)
                if (t.Inside) s += t.W1 * x[t.I1 + c] + t.W2 * x[t.I2 + c] + t.W3 * x[t.I3 + c] + t.W4 * x[t.I4 + c];
            y[c] = s / count;
        }
    }

    /// <summary>One sample's bilinear value at channels [c, c + Count), summed in the reference's order.</summary>
    private static V Sample<S, V>(in ReferenceRoiAlign.Tap<float> t, float* x, int c) where S : struct, ISimd<V> where V : struct =>
        S.Add(S.Add(S.Add(S.Multiply(S.Create(t.W1), S.Load(x + t.I1 + c)), S.Multiply(S.Create(t.W2), S.Load(x + t.I2 + c))),
            S.Multiply(S.Create(t.W3), S.Load(x + t.I3 + c))), S.Multiply(S.Create(t.W4), S.Load(x + t.I4 + c)));

    /// <summary>Channel vectors [start, end) of dx: every RoI, bin and sample in the reference's order.</summary>
    private struct BackwardWork : IWorkItem
    {
        public float* Dy, Rois, Dx;
        public int RoiCount, Lanes;
        public Shape XShape;
        public RoiAlignAttrs Attrs;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            var rois = new ReadOnlySpan<float>(Rois, RoiCount * 5);
            var taps = new List<ReferenceRoiAlign.Tap<float>>();
            int channels = XShape[3], c0 = start * Lanes, c1 = Math.Min(end * Lanes, channels);
            for (int k = 0, bin = 0; k < RoiCount; k++)
                for (int ph = 0; ph < Attrs.PooledH; ph++)
                    for (int pw = 0; pw < Attrs.PooledW; pw++, bin++)
                    {
                        float count = ReferenceRoiAlign.Taps(rois, k, ph, pw, XShape, Attrs, taps);
                        float* g = Dy + (long)bin * channels;
                        var samples = CollectionsMarshal.AsSpan(taps);
                        if (Vector512.IsHardwareAccelerated) Spread<Simd512, Vector512<float>>(samples, g, Dx, c0, c1, count);
                        else Spread<Simd256, Vector256<float>>(samples, g, Dx, c0, c1, count);
                    }
        }
    }

    /// <summary>dx[corner + c] += (g[c] · w) / count for each in-image sample's four corners, c in [c0, c1).</summary>
    private static void Spread<S, V>(ReadOnlySpan<ReferenceRoiAlign.Tap<float>> taps, float* g, float* dx, int c0, int c1, float count)
        where S : struct, ISimd<V> where V : struct
    {
        V divisor = S.Create(count);
        foreach (var t in taps)
        {
            if (!t.Inside) continue;
            V w1 = S.Create(t.W1), w2 = S.Create(t.W2), w3 = S.Create(t.W3), w4 = S.Create(t.W4);
            int c = c0;
            for (; c + S.Count <= c1; c += S.Count)
            {
                V gv = S.Load(g + c);
                AddShare<S, V>(dx + t.I1 + c, gv, w1, divisor);
                AddShare<S, V>(dx + t.I2 + c, gv, w2, divisor);
                AddShare<S, V>(dx + t.I3 + c, gv, w3, divisor);
                AddShare<S, V>(dx + t.I4 + c, gv, w4, divisor);
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

    private static void AddShare<S, V>(float* dx, V g, V w, V divisor) where S : struct, ISimd<V> where V : struct =>
        S.Store(S.Add(S.Load(dx), S.Divide(S.Multiply(g, w), divisor)), dx);
}
