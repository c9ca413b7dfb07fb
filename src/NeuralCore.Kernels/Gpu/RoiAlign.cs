using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// roi_align (torchvision, aligned=False) over NHWC and its backward. Forward: one thread per output element, C fastest,
/// averaging its bin's bilinear samples. Backward gathers instead of scattering: one thread per dx element walks the
/// RoIs of its image and the bins whose samples can reach its pixel, in a fixed order (no atomics, same bits every run).
/// </summary>
public sealed partial class GpuKernels
{
    public void RoiAlign(Tensor x, Tensor rois, RoiAlignAttrs attrs, Tensor y) =>
        GpuRoiAlign.Forward.On(Device.Accelerator)(y.ElementCount, Device.View<float>(x), Device.View<float>(rois), Device.View<float>(y),
            RoiAlignGeometry.Of(x.Shape, rois.Shape[0], attrs));

    public void RoiAlignBackward(Tensor dy, Tensor rois, RoiAlignAttrs attrs, Tensor dx)
    {
        if (dx.ElementCount == 0) return;
        GpuRoiAlign.Backward.On(Device.Accelerator)(dx.ElementCount, Device.View<float>(dy), Device.View<float>(rois), Device.View<float>(dx),
            RoiAlignGeometry.Of(dx.Shape, rois.Shape[0], attrs));
    }
}

/// <summary>Features [N, H, W, C], K RoIs, the pooled size, the scale and the sampling ratio (&lt;= 0: adaptive).</summary>
internal struct RoiAlignGeometry
{
    public int N, H, W, C, K, PH, PW, SamplingRatio;
    public float SpatialScale;

    public static RoiAlignGeometry Of(Shape x, int rois, RoiAlignAttrs a) => new()
    {
        N = x[0], H = x[1], W = x[2], C = x[3], K = rois, PH = a.PooledH, PW = a.PooledW,
        SamplingRatio = a.SamplingRatio, SpatialScale = (float)a.SpatialScale,
    };
}

/// <summary>One RoI in feature coordinates: its start, its bin size and its sampling grid.</summary>
internal readonly struct RoiBins
{
    public readonly int Batch, GridH, GridW;
    public readonly float StartH, StartW, BinH, BinW;

    public RoiBins(ArrayView<float> rois, int k, RoiAlignGeometry g)
    {
        long r = (long)k * 5;
        Batch = (int)rois[r];
        StartW = rois[r + 1] * g.SpatialScale;
        StartH = rois[r + 2] * g.SpatialScale;
        float roiW = Math.Max(rois[r + 3] * g.SpatialScale - StartW, 1f), roiH = Math.Max(rois[r + 4] * g.SpatialScale - StartH, 1f);
        BinH = roiH / g.PH;
        BinW = roiW / g.PW;
        GridH = g.SamplingRatio > 0 ? g.SamplingRatio : (int)MathF.Ceiling(roiH / g.PH);
        GridW = g.SamplingRatio > 0 ? g.SamplingRatio : (int)MathF.Ceiling(roiW / g.PW);
    }

    public float Count => Math.Max(GridH * GridW, 1);

    public float SampleY(int ph, int iy) => StartH + ph * BinH + (iy + 0.5f) * BinH / GridH;

    public float SampleX(int pw, int ix) => StartW + pw * BinW + (ix + 0.5f) * BinW / GridW;
}

internal static class GpuRoiAlign
{
    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, RoiAlignGeometry>> Forward =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, RoiAlignGeometry>(ForwardKernel));

    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, RoiAlignGeometry>> Backward =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, RoiAlignGeometry>(BackwardKernel));

    [GpuKernel]
    internal static void ForwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> rois, ArrayView<float> y, RoiAlignGeometry g)
    {
        var (k, ph, pw, c) = NhwcPosition.Of(i, g.PH, g.PW, g.C);
        var roi = new RoiBins(rois, k, g);
        long image = (long)roi.Batch * g.H;
        float sum = 0f;
        for (int iy = 0; iy < roi.GridH; iy++)
        {
            float sy = roi.SampleY(ph, iy);
            for (int ix = 0; ix < roi.GridW; ix++)
            {
                float sx = roi.SampleX(pw, ix);
                if (sy < -1f || sy > g.H || sx < -1f || sx > g.W) continue;
                Taps(sy, g.H, out int y0, out int y1, out float ly);
                Taps(sx, g.W, out int x0, out int x1, out float lx);
                float hy = 1f - ly, hx = 1f - lx;
                sum += hy * hx * x[((image + y0) * g.W + x0) * g.C + c] + hy * lx * x[((image + y0) * g.W + x1) * g.C + c]
                     + ly * hx * x[((image + y1) * g.W + x0) * g.C + c] + ly * lx * x[((image + y1) * g.W + x1) * g.C + c];
            }
        }
        y[i] = sum / roi.Count;
    }

    /// <summary>
    /// dx[n, h, w, c] = sum over RoIs of image n, bins and samples of dy[bin, c] / count · weight_y(h) · weight_w(w), where a
    /// weight is the sample's share of that row (column): 1 - frac at its lower tap, frac at its upper one.
    /// </summary>
    [GpuKernel]
    internal static void BackwardKernel(Index1D i, ArrayView<float> dy, ArrayView<float> rois, ArrayView<float> dx, RoiAlignGeometry g)
    {
        var (n, h, w, c) = NhwcPosition.Of(i, g.H, g.W, g.C);
        float acc = 0f;
        for (int k = 0; k < g.K; k++)
        {
            var roi = new RoiBins(rois, k, g);
            if (roi.Batch != n) continue;
            for (int ph = 0; ph < g.PH; ph++)
            {
                // A sample reaches rows floor(y) and floor(y) + 1 only: skip bins whose rows lie farther away.
                float top = roi.StartH + ph * roi.BinH;
                if (top - 1f > h || top + roi.BinH + 1f < h) continue;
                for (int pw = 0; pw < g.PW; pw++)
                {
                    float left = roi.StartW + pw * roi.BinW;
                    if (left - 1f > w || left + roi.BinW + 1f < w) continue;
                    float share = 0f;
                    for (int iy = 0; iy < roi.GridH; iy++)
                    {
                        float sy = roi.SampleY(ph, iy);
                        for (int ix = 0; ix < roi.GridW; ix++)
                        {
                            float sx = roi.SampleX(pw, ix);
                            if (sy < -1f || sy > g.H || sx < -1f || sx > g.W) continue;
                            share += Weight(sy, g.H, h) * Weight(sx, g.W, w);
                        }
                    }
                    if (share != 0f) acc += dy[(((long)k * g.PH + ph) * g.PW + pw) * g.C + c] * share / roi.Count;
                }
            }
        }
        dx[i] = acc;
    }

    /// <summary>The two taps of a sample at <paramref name="v"/> along an axis of <paramref name="size"/>, and the upper one's weight.</summary>
    private static void Taps(float v, int size, out int low, out int high, out float frac)
    {
        v = Math.Max(v, 0f);
        low = (int)v;
        if (low >= size - 1)
        {
            low = high = size - 1;
            frac = 0f;
            return;
        }
        high = low + 1;
        frac = v - low;
    }

    /// <summary>The weight a sample at <paramref name="v"/> gives index <paramref name="at"/> (both taps may be one clamped cell).</summary>
    private static float Weight(float v, int size, int at)
    {
        Taps(v, size, out int low, out int high, out float frac);
        return (low == at ? 1f - frac : 0f) + (high == at ? frac : 0f);
    }
}
