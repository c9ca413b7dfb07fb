using System.Numerics;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Reference;

/// <summary>Bilinear resize over NHWC with half-pixel centres and the scale in / out (PyTorch align_corners=False).</summary>
internal static class ReferenceResize
{
    public static void Forward<T>(ReadOnlySpan<T> x, Shape xShape, Span<T> y, Shape yShape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = xShape[1], w = xShape[2], channels = xShape[3], oh = yShape[1], ow = yShape[2];
        for (int n = 0; n < yShape[0]; n++)
            for (int i = 0; i < oh; i++)
            {
                var (h0, h1, th) = Source<T>(i, h, oh);
                for (int j = 0; j < ow; j++)
                {
                    var (w0, w1, tw) = Source<T>(j, w, ow);
                    for (int c = 0; c < channels; c++)
                    {
                        int row0 = (n * h + h0) * w, row1 = (n * h + h1) * w;
                        T top = (T.One - tw) * x[(row0 + w0) * channels + c] + tw * x[(row0 + w1) * channels + c];
                        T bottom = (T.One - tw) * x[(row1 + w0) * channels + c] + tw * x[(row1 + w1) * channels + c];
                        y[((n * oh + i) * ow + j) * channels + c] = (T.One - th) * top + th * bottom;
                    }
                }
            }
    }

    /// <summary>The two input indices output index o reads along an axis of <paramref name="size"/> -> <paramref name="outSize"/>, and the second's weight.</summary>
    public static (int I0, int I1, T Weight) Source<T>(int o, int size, int outSize) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T scale = T.CreateChecked(size) / T.CreateChecked(outSize);
        T src = T.Max(scale * (T.CreateChecked(o) + T.CreateChecked(0.5)) - T.CreateChecked(0.5), T.Zero);
        int i0 = int.CreateTruncating(src);
        return (i0, i0 < size - 1 ? i0 + 1 : i0, src - T.CreateChecked(i0));
    }
}
