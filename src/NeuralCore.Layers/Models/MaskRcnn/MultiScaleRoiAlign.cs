using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>
/// torchvision's MultiScaleRoIAlign on P2..P5: each box goes to level floor(4 + log2(sqrt(area) / 224) + 1e-6)
/// clamped to 2..5 (the level mapper, in float32), and is pooled there by roi_align (aligned=False) with that level's
/// scale, 2^round(log2(feature height / image height)). Results come back in the boxes' order, on the levels' device.
/// </summary>
public sealed record MultiScaleRoiAlign(int Output, int SamplingRatio)
{
    /// <summary>levels P2..P5 [1, h, w, C], boxes [K, 4] (host rows) in an image of <paramref name="imageH"/> -> [K, Output, Output, C].</summary>
    public Tensor Forward(IReadOnlyList<Tensor> levels, float[] boxes, int imageH)
    {
        int k = boxes.Length / 4, channels = levels[0].Shape[3];
        var scales = levels.Select(p => MathF.Pow(2, MathF.Round(MathF.Log2(p.Shape[1] / (float)imageH)))).ToArray();
        int minLevel = (int)-MathF.Log2(scales[0]), maxLevel = (int)-MathF.Log2(scales[^1]);
        var levelOf = new int[k];
        for (int i = 0; i < k; i++)
        {
            float side = MathF.Sqrt((boxes[i * 4 + 2] - boxes[i * 4]) * (boxes[i * 4 + 3] - boxes[i * 4 + 1]));
            float target = MathF.Floor(4 + MathF.Log2(side / 224f) + 1e-6f);
            levelOf[i] = (int)Math.Clamp(target, minLevel, maxLevel) - minLevel;
        }
        var result = new float[k * Output * Output * channels];
        int per = Output * Output * channels;
        for (int l = 0; l < levels.Count; l++)
        {
            var rows = Enumerable.Range(0, k).Where(i => levelOf[i] == l).ToArray();
            if (rows.Length == 0) continue;
            var rois = new float[rows.Length * 5];
            for (int j = 0; j < rows.Length; j++) Array.Copy(boxes, rows[j] * 4, rois, j * 5 + 1, 4);
            using var roisT = Tensor.FromArray(rois, [rows.Length, 5], levels[l].Device);
            using var pooled = Ops.RoiAlign(levels[l], roisT, new RoiAlignAttrs(Output, Output, scales[l], SamplingRatio));
            float[] values = pooled.ToArray<float>();
            for (int j = 0; j < rows.Length; j++) Array.Copy(values, j * per, result, rows[j] * per, per);
        }
        // Back on the levels' device in the boxes' order (the catalog has no gather; the host puts the rows in order).
        return Tensor.FromArray(result, [k, Output, Output, channels], levels[0].Device);
    }
}
