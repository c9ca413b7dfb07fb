using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>
/// nms (torchvision.ops.nms): greedy non-maximum suppression. Boxes are visited by descending score, equal scores by
/// increasing index (torchvision's stable sort); a box is kept unless a kept box overlaps it with IoU &gt; the threshold.
/// </summary>
public static partial class Ops
{
    /// <summary>boxes [N, 4] = (x1, y1, x2, y2), scores [N] -> int32 kept indices [M], by descending score.</summary>
    public static Tensor Nms(Tensor boxes, Tensor scores, double iouThreshold)
    {
        const string op = "nms";
        CheckBoxes(op, "boxes", boxes);
        OpCheck.Rank(op, "scores", scores, 1, "[N]");
        OpCheck.That(scores.Shape[0] == boxes.Shape[0], op, $"scores {scores.Describe()} must have one score per box of {boxes.Describe()}");
        OpCheck.SameDType(op, boxes, "boxes", scores, "scores");
        OpCheck.SameDevice(op, boxes, scores);
        OpCheck.That(!double.IsNaN(iouThreshold), op, "the IoU threshold is NaN");
        int n = boxes.Shape[0];
        if (n == 0) return Tensor.Empty([0], DType.Int32, boxes.Device);
        var kernels = Backend.For(op, boxes, scores);
        using var bc = boxes.Contiguous();
        using var sc = scores.Contiguous();
        using var order = Tensor.Empty([n], DType.Int32, boxes.Device);
        using var keep = Tensor.Empty([n], DType.Int32, boxes.Device);
        kernels.Nms(bc, sc, iouThreshold, order, keep);
        // The number kept is only known now: gather the survivors on the host (a few thousand ints at most).
        int[] byScore = order.ToArray<int>(), kept = keep.ToArray<int>();
        var indices = new List<int>(n);
        for (int r = 0; r < n; r++)
            if (kept[r] != 0) indices.Add(byScore[r]);
        return Tensor.FromArray(indices.ToArray(), [indices.Count], boxes.Device);
    }

    /// <summary>
    /// nms run separately per category (torchvision.ops.batched_nms): every box is shifted by its category times (the
    /// largest coordinate + 1), so boxes of different categories never overlap, and one nms runs over all of them.
    /// </summary>
    public static Tensor BatchedNms(Tensor boxes, Tensor scores, Tensor categories, double iouThreshold)
    {
        const string op = "batched_nms";
        CheckBoxes(op, "boxes", boxes);
        OpCheck.Rank(op, "categories", categories, 1, "[N]");
        OpCheck.DType(op, "categories", categories, DType.Int32);
        OpCheck.That(categories.Shape[0] == boxes.Shape[0], op, $"categories {categories.Describe()} must have one entry per box of {boxes.Describe()}");
        int n = boxes.Shape[0];
        if (n == 0) return Nms(boxes, scores, iouThreshold);
        int[] category = categories.ToArray<int>();
        using var bc = boxes.Contiguous();
        // In the boxes' own precision, as torchvision computes the offsets.
        using var offset = boxes.DType == DType.Float64
            ? Tensor.FromArray(Offsets(bc.ToArray<double>(), category), boxes.Shape, boxes.Device)
            : Tensor.FromArray(Offsets(bc.ToArray<float>(), category), boxes.Shape, boxes.Device);
        using var shifted = Add(boxes, offset);
        return Nms(shifted, scores, iouThreshold);
    }

    /// <summary>Each coordinate's shift: its box's category times (the largest coordinate + 1).</summary>
    private static T[] Offsets<T>(T[] coordinates, int[] category) where T : System.Numerics.IFloatingPointIeee754<T>
    {
        T step = coordinates.Max()! + T.One;
        var offsets = new T[coordinates.Length];
        for (int i = 0; i < offsets.Length; i++) offsets[i] = T.CreateChecked(category[i / 4]) * step;
        return offsets;
    }

    private static void CheckBoxes(string op, string arg, Tensor boxes)
    {
        OpCheck.Rank(op, arg, boxes, 2, "[N, 4] = (x1, y1, x2, y2)");
        OpCheck.Float(op, arg, boxes);
        OpCheck.That(boxes.Shape[1] == 4, op, $"{arg} must be [N, 4] = (x1, y1, x2, y2), got {boxes.Describe()}");
    }
}

public static partial class OpCatalog
{
    public static readonly OpDef Nms = new()
    {
        Name = "nms", Signature = "boxes[N,4], scores[N] -> int32 kept[M] (by score, ties by index)", Tolerance = Tolerance.Exact,
        Run = (x, a) => [Ops.Nms(x[0], x[1], (double)a!)],
        Cases =
        [
            new("40 boxes IoU 0.5", [new([40, 4], InputKind.Boxes, Extent: 50), new([40])], 0.5),
            new("100 boxes IoU 0.7", [new([100, 4], InputKind.Boxes, Extent: 200), new([100])], 0.7),
            new("1 box", [new([1, 4], InputKind.Boxes, Extent: 10), new([1])], 0.5),
            new("3 categories, 60 boxes IoU 0.5", [new([60, 4], InputKind.Boxes, Classes: 3, Extent: 50), new([60])], 0.5),
            new("RPN 4000 boxes IoU 0.7", [new([4000, 4], InputKind.Boxes, Extent: 800), new([4000])], 0.7, Bench: true),
            // The box head's batched_nms: one nms over the boxes of all categories, shifted apart.
            new("box head 4000 boxes in 90 categories IoU 0.5", [new([4000, 4], InputKind.Boxes, Classes: 90, Extent: 800), new([4000])], 0.5, Bench: true),
        ],
    };
}
