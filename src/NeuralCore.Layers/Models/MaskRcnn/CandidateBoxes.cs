using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>
/// Scored boxes on their way to NMS, as the RPN and the box head both filter them: clipped to the image
/// (clip_boxes_to_image), dropped when a side is under the minimum size (remove_small_boxes), then NMS per category
/// (batched_nms) keeping the best few.
/// </summary>
internal sealed class CandidateBoxes(int imageH, int imageW, float minSize)
{
    private readonly List<float> _boxes = [], _scores = [];
    private readonly List<int> _categories = [];

    /// <summary>Adds box <paramref name="at"/> (its first coordinate's index) of <paramref name="decoded"/> unless it is too small once clipped.</summary>
    public void Add(float[] decoded, int at, float score, int category)
    {
        float x1 = Math.Clamp(decoded[at], 0, imageW), y1 = Math.Clamp(decoded[at + 1], 0, imageH);
        float x2 = Math.Clamp(decoded[at + 2], 0, imageW), y2 = Math.Clamp(decoded[at + 3], 0, imageH);
        if (x2 - x1 < minSize || y2 - y1 < minSize) return;
        _boxes.AddRange([x1, y1, x2, y2]);
        _scores.Add(score);
        _categories.Add(category);
    }

    /// <summary>NMS per category at <paramref name="threshold"/>: the survivors' boxes, scores and categories, best first, at most <paramref name="limit"/>.</summary>
    public (float[] Boxes, float[] Scores, int[] Categories) Suppress(double threshold, int limit)
    {
        int n = _scores.Count;
        using var boxes = Tensor.FromArray(_boxes.ToArray(), [n, 4]);
        using var scores = Tensor.FromArray(_scores.ToArray(), [n]);
        using var categories = Tensor.FromArray(_categories.ToArray(), [n]);
        using var keepT = Ops.BatchedNms(boxes, scores, categories, threshold);
        var keep = keepT.ToArray<int>().Take(limit).ToArray();
        return (Gather(_boxes.ToArray(), keep), keep.Select(i => _scores[i]).ToArray(), keep.Select(i => _categories[i]).ToArray());
    }

    /// <summary>Rows <paramref name="rows"/> of a [*, 4] array.</summary>
    public static float[] Gather(float[] source, int[] rows)
    {
        var result = new float[rows.Length * 4];
        for (int i = 0; i < rows.Length; i++) Array.Copy(source, rows[i] * 4, result, i * 4, 4);
        return result;
    }
}
