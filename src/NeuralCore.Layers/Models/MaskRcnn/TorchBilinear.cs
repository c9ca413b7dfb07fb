namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>
/// Bilinear resize (half-pixel centres, align_corners false, no explicit scale) rounded as PyTorch 1.13's CPU
/// upsample_bilinear2d: per axis the scale is the float32 ratio in / out and the source position is computed in double
/// (PyTorch's CPU accumulate type), only the weights rounded to float32; an axis whose size does not change is copied;
/// the four terms are summed in double with float32 weight products and rounded once.
/// </summary>
/// <remarks>
/// Our catalog's resize op computes the position in float32, which at source positions in the hundreds moves the
/// weights by up to ~3e-5: 1.7e-4 on the normalised 480x640 photo that torchvision's transform resizes to 800x1066.
/// This rounding stays within 1 float32 ulp of PyTorch's there (equal in about half the pixels) and equals its
/// paste_masks_in_image bit for bit (MaskPasteTests).
/// </remarks>
internal static class TorchBilinear
{
    /// <summary>Where output index o of an axis resized from <c>size</c> to <c>outSize</c> samples: two input indices and their weights.</summary>
    internal readonly record struct Tap(int I0, int I1, float W0, float W1)
    {
        public static Tap[] Of(int size, int outSize)
        {
            var taps = new Tap[outSize];
            float scale = size / (float)outSize;
            for (int o = 0; o < outSize; o++)
            {
                if (size == outSize)
                {
                    taps[o] = new Tap(o, o, 1, 0);
                    continue;
                }
                double source = Math.Max(scale * (o + 0.5) - 0.5, 0);
                int i0 = (int)source;
                float w1 = (float)Math.Clamp(source - i0, 0, 1);
                taps[o] = new Tap(i0, i0 < size - 1 ? i0 + 1 : i0, 1 - w1, w1);
            }
            return taps;
        }
    }

    /// <summary>
    /// The value at (<paramref name="row"/>, <paramref name="column"/>) of a map whose element (r, c) is
    /// x[r · rowStride + c · columnStride]: PyTorch's order, the four weights as float products, the four terms summed
    /// in double, rounded once.
    /// </summary>
    public static float At(ReadOnlySpan<float> x, int rowStride, int columnStride, Tap row, Tap column)
    {
        int r0 = row.I0 * rowStride, r1 = row.I1 * rowStride, c0 = column.I0 * columnStride, c1 = column.I1 * columnStride;
        double sum = (double)x[r0 + c0] * (row.W0 * column.W0) + (double)x[r0 + c1] * (row.W0 * column.W1)
            + (double)x[r1 + c0] * (row.W1 * column.W0) + (double)x[r1 + c1] * (row.W1 * column.W1);
        return (float)sum;
    }

    /// <summary>x [H, W, C] (one image, channels last) -> [outH, outW, C].</summary>
    public static float[] Resize(float[] x, int height, int width, int channels, int outH, int outW)
    {
        var rows = Tap.Of(height, outH);
        var columns = Tap.Of(width, outW);
        var y = new float[outH * outW * channels];
        Parallel.For(0, outH, i =>
        {
            for (int j = 0; j < outW; j++)
                for (int c = 0; c < channels; c++)
                    y[(i * outW + j) * channels + c] = At(x.AsSpan(c), width * channels, channels, rows[i], columns[j]);
        });
        return y;
    }
}
