using System.Numerics;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Reference;

/// <summary>
/// roi_align over NHWC as torchvision's CPU kernel computes it, in the element type (its float32 arithmetic, step by
/// step): each bin averages its grid of bilinear samples; the backward hands every sample's share of dy to its four taps.
/// </summary>
internal static class ReferenceRoiAlign
{
    public static void Forward<T>(ReadOnlySpan<T> x, Shape xShape, ReadOnlySpan<T> rois, Span<T> y, RoiAlignAttrs a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = xShape[3];
        var taps = new List<Tap<T>>();
        for (int k = 0, bin = 0; k < rois.Length / 5; k++)
            for (int ph = 0; ph < a.PooledH; ph++)
                for (int pw = 0; pw < a.PooledW; pw++, bin++)
                {
                    T count = Taps(rois, k, ph, pw, xShape, a, taps);
                    for (int c = 0; c < channels; c++)
                    {
                        T sum = T.Zero;
                        foreach (var t in taps) sum += t.W1 * x[t.I1 + c] + t.W2 * x[t.I2 + c] + t.W3 * x[t.I3 + c] + t.W4 * x[t.I4 + c];
                        y[bin * channels + c] = sum / count;
                    }
                }
    }

    /// <summary>dx (zeroed here) += dy / count · weight at each in-image tap of each sample (torchvision's backward).</summary>
    public static void Backward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> rois, Span<T> dx, Shape xShape, RoiAlignAttrs a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dx.Clear();
        int channels = xShape[3];
        var taps = new List<Tap<T>>();
        for (int k = 0, bin = 0; k < rois.Length / 5; k++)
            for (int ph = 0; ph < a.PooledH; ph++)
                for (int pw = 0; pw < a.PooledW; pw++, bin++)
                {
                    T count = Taps(rois, k, ph, pw, xShape, a, taps);
                    foreach (var t in taps)
                    {
                        if (!t.Inside) continue;
                        for (int c = 0; c < channels; c++)
                        {
                            T g = dy[bin * channels + c];
                            dx[t.I1 + c] += g * t.W1 / count;
                            dx[t.I2 + c] += g * t.W2 / count;
                            dx[t.I3 + c] += g * t.W3 / count;
                            dx[t.I4 + c] += g * t.W4 / count;
                        }
                    }
                }
    }

    /// <summary>One bilinear sample: the element offsets of its four taps (channel 0) and their weights.</summary>
    private readonly record struct Tap<T>(int I1, int I2, int I3, int I4, T W1, T W2, T W3, T W4, bool Inside);

    /// <summary>Fills <paramref name="taps"/> with the samples of bin (ph, pw) of RoI k; returns their count (at least 1).</summary>
    private static T Taps<T>(ReadOnlySpan<T> rois, int k, int ph, int pw, Shape xShape, RoiAlignAttrs a, List<Tap<T>> taps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        taps.Clear();
        int height = xShape[1], width = xShape[2], channels = xShape[3];
        var r = rois.Slice(k * 5, 5);
        int batch = int.CreateTruncating(r[0]);
        T Scaled(T v) => T.CreateChecked(double.CreateChecked(v) * a.SpatialScale);
        T startW = Scaled(r[1]), startH = Scaled(r[2]);
        T roiW = T.Max(Scaled(r[3]) - startW, T.One), roiH = T.Max(Scaled(r[4]) - startH, T.One);
        T binH = roiH / T.CreateChecked(a.PooledH), binW = roiW / T.CreateChecked(a.PooledW);
        int gridH = a.SamplingRatio > 0 ? a.SamplingRatio : int.CreateTruncating(T.Ceiling(roiH / T.CreateChecked(a.PooledH)));
        int gridW = a.SamplingRatio > 0 ? a.SamplingRatio : int.CreateTruncating(T.Ceiling(roiW / T.CreateChecked(a.PooledW)));
        T half = T.CreateChecked(0.5);
        for (int iy = 0; iy < gridH; iy++)
        {
            T yy = startH + T.CreateChecked(ph) * binH + (T.CreateChecked(iy) + half) * binH / T.CreateChecked(gridH);
            for (int ix = 0; ix < gridW; ix++)
            {
                T xx = startW + T.CreateChecked(pw) * binW + (T.CreateChecked(ix) + half) * binW / T.CreateChecked(gridW);
                taps.Add(Sample(yy, xx));
            }
        }
        return T.CreateChecked(Math.Max(gridH * gridW, 1));

        Tap<T> Sample(T y, T x)
        {
            if (y < -T.One || y > T.CreateChecked(height) || x < -T.One || x > T.CreateChecked(width))
                return new(0, 0, 0, 0, T.Zero, T.Zero, T.Zero, T.Zero, false);
            y = T.Max(y, T.Zero);
            x = T.Max(x, T.Zero);
            var (y0, y1, ly) = Axis(y, height);
            var (x0, x1, lx) = Axis(x, width);
            T hy = T.One - ly, hx = T.One - lx;
            int Offset(int yi, int xi) => ((batch * height + yi) * width + xi) * channels;
            return new(Offset(y0, x0), Offset(y0, x1), Offset(y1, x0), Offset(y1, x1), hy * hx, hy * lx, ly * hx, ly * lx, true);
        }

        static (int Low, int High, T Frac) Axis(T v, int size)
        {
            int low = int.CreateTruncating(v);
            if (low >= size - 1) return (size - 1, size - 1, T.Zero);
            return (low, low + 1, v - T.CreateChecked(low));
        }
    }
}
