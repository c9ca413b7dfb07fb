using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>
/// The output grid and the sampling of roi_align (torchvision.ops.roi_align, aligned=False): each RoI's box, scaled by
/// <paramref name="SpatialScale"/> and at least 1x1, is cut into PooledH x PooledW bins; each bin averages bilinear samples
/// on a regular grid of <paramref name="SamplingRatio"/>² points (when &lt;= 0: ceil(box side / pooled side) per axis).
/// </summary>
public sealed record RoiAlignAttrs(int PooledH, int PooledW, double SpatialScale, int SamplingRatio)
{
    public override string ToString() => $"{PooledH}x{PooledW} scale {SpatialScale} sampling {SamplingRatio}";

    internal void Check(string op)
    {
        OpCheck.Positive(op, "pooled height", PooledH);
        OpCheck.Positive(op, "pooled width", PooledW);
        OpCheck.That(SpatialScale > 0 && double.IsFinite(SpatialScale), op, $"spatial scale must be positive, got {SpatialScale}");
    }
}

/// <summary>roi_align over NHWC features (Mask R-CNN's box and mask heads), and its backward kernel roi_align_backward.</summary>
public static partial class Ops
{
    /// <summary>x [N, H, W, C], rois [K, 5] = (batch index, x1, y1, x2, y2) in image pixels -> y [K, PooledH, PooledW, C].</summary>
    public static Tensor RoiAlign(Tensor x, Tensor rois, RoiAlignAttrs attrs)
    {
        const string op = "roi_align";
        OpCheck.Rank(op, "x", x, 4, "[N, H, W, C]");
        OpCheck.Float(op, "x", x);
        CheckRois(op, x, rois);
        attrs.Check(op);
        var kernels = Backend.For(op, x, rois);
        var y = Tensor.Empty([rois.Shape[0], attrs.PooledH, attrs.PooledW, x.Shape[3]], x.DType, x.Device);
        if (y.ElementCount == 0) return y;
        using var xc = x.Contiguous();
        using var rc = rois.Contiguous();
        kernels.RoiAlign(xc, rc, attrs, y);
        return y;
    }

    /// <summary>dy [K, PooledH, PooledW, C], rois [K, 5] -> dx [N, H, W, C] (<paramref name="xShape"/>): each sample's share of dy.</summary>
    public static Tensor RoiAlignBackward(Tensor dy, Tensor rois, Shape xShape, RoiAlignAttrs attrs)
    {
        const string op = "roi_align_backward";
        OpCheck.Rank(op, "dy", dy, 4, "[K, PH, PW, C]");
        OpCheck.Float(op, "dy", dy);
        OpCheck.That(xShape.Rank == 4, op, $"the features' shape must be [N, H, W, C], got {xShape}");
        attrs.Check(op);
        OpCheck.Shape(op, "dy", dy, [rois.Shape[0], attrs.PooledH, attrs.PooledW, xShape[3]]);
        CheckRois(op, dy, rois);
        var dx = Tensor.Empty(xShape, dy.DType, dy.Device);
        var kernels = Backend.For(op, dy, rois);
        using var dyc = dy.Contiguous();
        using var rc = rois.Contiguous();
        kernels.RoiAlignBackward(dyc, rc, attrs, dx);
        return dx;
    }

    private static void CheckRois(string op, Tensor x, Tensor rois)
    {
        OpCheck.Rank(op, "rois", rois, 2, "[K, 5] = (batch index, x1, y1, x2, y2)");
        OpCheck.That(rois.Shape[1] == 5, op, $"rois must be [K, 5] = (batch index, x1, y1, x2, y2), got {rois.Describe()}");
        OpCheck.SameDType(op, x, "x", rois, "rois");
        OpCheck.SameDevice(op, x, rois);
    }
}

public static partial class OpCatalog
{
    private static (string Label, Shape X, int Rois, RoiAlignAttrs Attrs, bool Bench)[] RoiAlignCases =>
    [
        ("7x7 sampling 2, scale 1/2", [2, 9, 11, 3], 5, new RoiAlignAttrs(7, 7, 0.5, 2), false),
        ("3x2 adaptive sampling", [1, 8, 6, 4], 4, new RoiAlignAttrs(3, 2, 1.0, 0), false),
        ("14x14 sampling 2, scale 1/4", [1, 10, 10, 5], 3, new RoiAlignAttrs(14, 14, 0.25, 2), false),
        // Mask R-CNN at 800x1333 (FPN levels of the padded 800x1344 batch): the box head's 1000 proposals, each level
        // timed as if all of them landed there, and the mask head's 100 detections.
        ("box head P2 7x7", [1, 200, 336, 256], 1000, new RoiAlignAttrs(7, 7, 0.25, 2), true),
        ("box head P3 7x7", [1, 100, 168, 256], 1000, new RoiAlignAttrs(7, 7, 0.125, 2), true),
        ("box head P4 7x7", [1, 50, 84, 256], 1000, new RoiAlignAttrs(7, 7, 0.0625, 2), true),
        ("box head P5 7x7", [1, 25, 42, 256], 1000, new RoiAlignAttrs(7, 7, 0.03125, 2), true),
        ("mask head P2 14x14", [1, 200, 336, 256], 100, new RoiAlignAttrs(14, 14, 0.25, 2), true),
    ];

    private static InputSpec RoiSpec(Shape x, int rois, RoiAlignAttrs a) =>
        new([rois, 5], InputKind.Rois, Classes: x[0], Extent: Math.Max(x[1], x[2]) / a.SpatialScale);

    public static readonly OpDef RoiAlign = new()
    {
        Name = "roi_align", Signature = "x[N,H,W,C], rois[K,5] -> y[K,PH,PW,C] (torchvision aligned=False)",
        DifferentiableInputs = [0], Tolerance = Tolerance.Accumulating,
        Run = (x, a) => [Ops.RoiAlign(x[0], x[1], (RoiAlignAttrs)a!)],
        Cases = RoiAlignCases.Select(c => new OpCase(c.Label, [new(c.X), RoiSpec(c.X, c.Rois, c.Attrs)], c.Attrs, c.Bench)).ToArray(),
    };

    public static readonly OpDef RoiAlignBackward = new()
    {
        Name = "roi_align_backward", Signature = "dy[K,PH,PW,C], rois[K,5], x[N,H,W,C] (shape only) -> dx[N,H,W,C]",
        Tolerance = Tolerance.Accumulating,
        Run = (x, a) => [Ops.RoiAlignBackward(x[0], x[1], x[2].Shape, (RoiAlignAttrs)a!)],
        Cases = RoiAlignCases
            .Select(c => new OpCase(c.Label,
                [new([c.Rois, c.Attrs.PooledH, c.Attrs.PooledW, c.X[3]]), RoiSpec(c.X, c.Rois, c.Attrs), new(c.X)], c.Attrs, c.Bench))
            .ToArray(),
    };
}
