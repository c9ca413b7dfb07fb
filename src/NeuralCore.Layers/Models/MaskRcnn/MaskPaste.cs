using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>
/// torchvision's paste_masks_in_image: each M x M probability map is padded by one zero pixel on every side, its box
/// widened by the same factor (M + 2) / M about its centre and truncated to integers, the padded map resized bilinearly
/// (half-pixel centres) to the box's (x2 - x1 + 1) x (y2 - y1 + 1) pixels and copied into the image where they overlap.
/// </summary>
public static class MaskPaste
{
    /// <summary>probabilities [D, M, M], boxes [D, 4] in the original image -> [D, height, width] probabilities.</summary>
    public static float[] Paste(float[] probabilities, float[] boxes, int height, int width)
    {
        int count = boxes.Length / 4;
        if (count == 0) return [];
        int m = (int)Math.Round(Math.Sqrt(probabilities.Length / count)), padded = m + 2;
        float scale = (float)((double)padded / m);
        var images = new float[count * height * width];
        for (int d = 0; d < count; d++)
        {
            float x1 = boxes[d * 4], y1 = boxes[d * 4 + 1], x2 = boxes[d * 4 + 2], y2 = boxes[d * 4 + 3];
            float wHalf = (x2 - x1) * 0.5f * scale, hHalf = (y2 - y1) * 0.5f * scale;
            float xc = (x2 + x1) * 0.5f, yc = (y2 + y1) * 0.5f;
            int bx1 = (int)(xc - wHalf), by1 = (int)(yc - hHalf), bx2 = (int)(xc + wHalf), by2 = (int)(yc + hHalf);
            int w = Math.Max(bx2 - bx1 + 1, 1), h = Math.Max(by2 - by1 + 1, 1);
            var map = new float[padded * padded];
            for (int r = 0; r < m; r++) Array.Copy(probabilities, (d * m + r) * m, map, (r + 1) * padded + 1, m);
            using var mapT = Tensor.FromArray(map, [1, padded, padded, 1]);
            using var resizedT = Ops.Resize(mapT, h, w);
            float[] resized = resizedT.ToArray<float>();
            int x0 = Math.Max(bx1, 0), xEnd = Math.Min(bx2 + 1, width), y0 = Math.Max(by1, 0), yEnd = Math.Min(by2 + 1, height);
            for (int y = y0; y < yEnd; y++)
                for (int x = x0; x < xEnd; x++)
                    images[(d * height + y) * width + x] = resized[(y - by1) * w + (x - bx1)];
        }
        return images;
    }

    /// <summary>torchvision's resize_boxes: boxes of the resized image back to the original's pixels (per-axis float ratios).</summary>
    public static float[] ToOriginal(float[] boxes, int resizedH, int resizedW, int height, int width)
    {
        float ry = height / (float)resizedH, rx = width / (float)resizedW;
        var result = new float[boxes.Length];
        for (int i = 0; i < boxes.Length; i++) result[i] = boxes[i] * (i % 2 == 0 ? rx : ry);
        return result;
    }
}
