using System.Numerics;

namespace NeuralCore.Kernels.Reference;

/// <summary>torchvision's BoxCoder.decode_single and encode_boxes, in the element type and its order of operations.</summary>
internal static class ReferenceBoxCoder
{
    /// <summary>deltas [N, 4J], boxes [N, 4] -> y [N, 4J].</summary>
    public static void Decode<T>(ReadOnlySpan<T> deltas, ReadOnlySpan<T> boxes, Span<T> y, BoxCoderAttrs a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = boxes.Length / 4, perRow = deltas.Length / rows;
        T half = T.CreateChecked(0.5), clip = T.CreateChecked(a.Clip);
        T wx = T.CreateChecked(a.Wx), wy = T.CreateChecked(a.Wy), ww = T.CreateChecked(a.Ww), wh = T.CreateChecked(a.Wh);
        for (int i = 0; i < rows; i++)
        {
            T width = boxes[i * 4 + 2] - boxes[i * 4], height = boxes[i * 4 + 3] - boxes[i * 4 + 1];
            T cx = boxes[i * 4] + half * width, cy = boxes[i * 4 + 1] + half * height;
            for (int j = i * perRow; j < (i + 1) * perRow; j += 4)
            {
                T dx = deltas[j] / wx, dy = deltas[j + 1] / wy;
                T dw = T.Min(deltas[j + 2] / ww, clip), dh = T.Min(deltas[j + 3] / wh, clip);
                T px = dx * width + cx, py = dy * height + cy;
                T halfW = half * (T.Exp(dw) * width), halfH = half * (T.Exp(dh) * height);
                (y[j], y[j + 1], y[j + 2], y[j + 3]) = (px - halfW, py - halfH, px + halfW, py + halfH);
            }
        }
    }

    /// <summary>targets [N, 4], proposals [N, 4] -> deltas [N, 4].</summary>
    public static void Encode<T>(ReadOnlySpan<T> targets, ReadOnlySpan<T> proposals, Span<T> y, BoxCoderAttrs a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T half = T.CreateChecked(0.5);
        T wx = T.CreateChecked(a.Wx), wy = T.CreateChecked(a.Wy), ww = T.CreateChecked(a.Ww), wh = T.CreateChecked(a.Wh);
        for (int i = 0; i < y.Length; i += 4)
        {
            T exW = proposals[i + 2] - proposals[i], exH = proposals[i + 3] - proposals[i + 1];
            T exX = proposals[i] + half * exW, exY = proposals[i + 1] + half * exH;
            T gtW = targets[i + 2] - targets[i], gtH = targets[i + 3] - targets[i + 1];
            T gtX = targets[i] + half * gtW, gtY = targets[i + 1] + half * gtH;
            y[i] = wx * (gtX - exX) / exW;
            y[i + 1] = wy * (gtY - exY) / exH;
            y[i + 2] = ww * T.Log(gtW / exW);
            y[i + 3] = wh * T.Log(gtH / exH);
        }
    }
}
