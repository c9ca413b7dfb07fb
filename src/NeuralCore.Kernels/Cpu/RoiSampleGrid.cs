using System.Numerics;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// The bilinear samples of one RoI for roi_align in float32, worked out per axis: a sample's row depends only on
/// (bin row, grid row) and its column only on (bin column, grid column), so PooledH·gridH rows and PooledW·gridW
/// columns describe all PooledH·PooledW·gridH·gridW samples, and a bin's taps are products of the two tables.
/// Every value is computed with <see cref="Reference.ReferenceRoiAlign"/>'s float operations in its order (box
/// scaled in double, then float), so the samples, their taps and weights are the reference's exactly.
/// One instance per thread, refilled per RoI.
/// </summary>
internal sealed class RoiSampleGrid
{
    /// <summary>A sample's position along one axis: its two neighbours, their weights (1 - frac, frac), and whether it
    /// lies beyond a pixel outside the map (then the whole sample counts 0).</summary>
    private readonly record struct AxisSample(int Low, int High, float LowWeight, float HighWeight, bool Outside);

    /// <summary>One in-map sample: the element offsets of its four taps at channel 0 and their weights.</summary>
    public readonly record struct Tap(int I1, int I2, int I3, int I4, float W1, float W2, float W3, float W4);

    private AxisSample[] _rows = [], _columns = [];
    private Tap[] _taps = [];
    private int _gridH, _gridW, _pixelBase, _width, _channels;

    /// <summary>Samples per bin (at least 1): the divisor of a bin's mean.</summary>
    public float Count { get; private set; }

    /// <summary>Whether Count is a power of two, so x / Count equals x · (1 / Count) exactly.</summary>
    public bool CountIsPowerOfTwo { get; private set; }

    /// <summary>Fills the tables for <paramref name="roi"/> = (batch index, x1, y1, x2, y2) over x [N, H, W, C].</summary>
    public void Fill(ReadOnlySpan<float> roi, Shape xShape, RoiAlignAttrs a)
    {
        int height = xShape[1];
        _width = xShape[2];
        _channels = xShape[3];
        _pixelBase = (int)roi[0] * height;
        float startW = Scaled(roi[1], a), startH = Scaled(roi[2], a);
        float roiW = float.Max(Scaled(roi[3], a) - startW, 1f), roiH = float.Max(Scaled(roi[4], a) - startH, 1f);
        float binH = roiH / a.PooledH, binW = roiW / a.PooledW;
        _gridH = a.SamplingRatio > 0 ? a.SamplingRatio : (int)MathF.Ceiling(roiH / a.PooledH);
        _gridW = a.SamplingRatio > 0 ? a.SamplingRatio : (int)MathF.Ceiling(roiW / a.PooledW);
        int count = Math.Max(_gridH * _gridW, 1);
        Count = count;
        CountIsPowerOfTwo = BitOperations.IsPow2(count);
        Axis(ref _rows, startH, binH, a.PooledH, _gridH, height);
        Axis(ref _columns, startW, binW, a.PooledW, _gridW, _width);
        if (_taps.Length < _gridH * _gridW) _taps = new Tap[_gridH * _gridW];
    }

    /// <summary>The in-map samples of bin (ph, pw), grid row by grid row as the reference visits them.</summary>
    public ReadOnlySpan<Tap> Taps(int ph, int pw)
    {
        int n = 0;
        for (int iy = 0; iy < _gridH; iy++)
        {
            var r = _rows[ph * _gridH + iy];
            if (r.Outside) continue;
            int row0 = (_pixelBase + r.Low) * _width, row1 = (_pixelBase + r.High) * _width;
            for (int ix = 0; ix < _gridW; ix++)
            {
                var c = _columns[pw * _gridW + ix];
                if (c.Outside) continue;
                _taps[n++] = new Tap((row0 + c.Low) * _channels, (row0 + c.High) * _channels, (row1 + c.Low) * _channels, (row1 + c.High) * _channels,
                    r.LowWeight * c.LowWeight, r.LowWeight * c.HighWeight, r.HighWeight * c.LowWeight, r.HighWeight * c.HighWeight);
            }
        }
        return _taps.AsSpan(0, n);
    }

    private static float Scaled(float v, RoiAlignAttrs a) => (float)(v * a.SpatialScale);

    /// <summary>Sample i·grid + g of an axis sits at start + i·bin + (g + 0.5)·bin / grid.</summary>
    private static void Axis(ref AxisSample[] table, float start, float bin, int pooled, int grid, int size)
    {
        if (table.Length < pooled * grid) table = new AxisSample[pooled * grid];
        for (int i = 0; i < pooled; i++)
            for (int g = 0; g < grid; g++)
            {
                float v = start + i * bin + (g + 0.5f) * bin / grid;
                if (v < -1f || v > size)
                {
                    table[i * grid + g] = new AxisSample(0, 0, 0, 0, Outside: true);
                    continue;
                }
                v = float.Max(v, 0f);
                int low = (int)v;
                table[i * grid + g] = low >= size - 1
                    ? new AxisSample(size - 1, size - 1, 1f, 0f, false)
                    : new AxisSample(low, low + 1, 1f - (v - low), v - low, false);
            }
    }
}
