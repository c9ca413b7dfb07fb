namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>
/// torchvision's paste_masks_in_image: each M x M probability map is padded by one zero pixel on every side, its box
/// widened by the same factor (M + 2) / M about its centre (float32) and truncated to integers, the padded map resized
/// bilinearly (half-pixel centres) to the box's (x2 - x1 + 1) x (y2 - y1 + 1) pixels and copied into the image where
/// they overlap.
/// </summary>
/// <remarks>
/// The resize rounds as PyTorch 1.13's CPU upsample_bilinear2d does (<see cref="TorchBilinear"/>), bit for bit (MaskPasteTests checks it against
/// paste_masks_in_image, and so does the full-size comparison, `bench -- maskrcnn`), not through our resize op, whose
/// float sums end a last bit apart. It has to: masks saturate to probabilities of exactly 0 and 1, so where a pixel's
/// centre falls halfway between a saturated row and the zero border (thin boxes, edges) the pasted value is 0.5 give
/// or take the last bit, and the 0.5 threshold turns those bits into whole rows of pixels (with our resize op a
/// 22-pixel mask of a 0.02 px tall box lost 1 pixel, IoU 0.955).
/// </remarks>
public static class MaskPaste
{
    /// <summary>probabilities [D, M, M], boxes [D, 4] in the original image -> D maps [height, width] of probabilities.</summary>
    public static float[][] Paste(float[] probabilities, float[] boxes, int height, int width)
    {
        int count = boxes.Length / 4;
        if (count == 0) return [];
        int m = (int)Math.Round(Math.Sqrt(probabilities.Length / count)), padded = m + 2;
        float scale = (float)((double)padded / m);
        var images = new float[count][];
        var map = new float[padded * padded];
        for (int d = 0; d < count; d++)
        {
            float x1 = boxes[d * 4], y1 = boxes[d * 4 + 1], x2 = boxes[d * 4 + 2], y2 = boxes[d * 4 + 3];
            float wHalf = (x2 - x1) * 0.5f * scale, hHalf = (y2 - y1) * 0.5f * scale;
            float xc = (x2 + x1) * 0.5f, yc = (y2 + y1) * 0.5f;
            int bx1 = (int)(xc - wHalf), by1 = (int)(yc - hHalf), bx2 = (int)(xc + wHalf), by2 = (int)(yc + hHalf);
            int w = Math.Max(bx2 - bx1 + 1, 1), h = Math.Max(by2 - by1 + 1, 1);
            var image = images[d] = new float[height * width];
            for (int r = 0; r < m; r++) Array.Copy(probabilities, (d * m + r) * m, map, (r + 1) * padded + 1, m);
            var rows = TorchBilinear.Tap.Of(padded, h);
            var columns = TorchBilinear.Tap.Of(padded, w);
            int x0 = Math.Max(bx1, 0), xEnd = Math.Min(bx2 + 1, width), y0 = Math.Max(by1, 0), yEnd = Math.Min(by2 + 1, height);
            for (int y = y0; y < yEnd; y++)
                for (int x = x0; x < xEnd; x++)
                    image[y * width + x] = TorchBilinear.At(map, padded, 1, rows[y - by1], columns[x - bx1]);
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
