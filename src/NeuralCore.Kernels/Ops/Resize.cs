using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>
/// resize: bilinear to any output size with half-pixel centres (PyTorch interpolate mode="bilinear",
/// align_corners=False, with the scale recomputed from the sizes): source = (o + 0.5) · in / out - 0.5, clamped at 0.
/// upsample covers only integer scale factors; Mask R-CNN resizes images by arbitrary factors and masks to box sizes.
/// </summary>
public static partial class Ops
{
    /// <summary>x [N, H, W, C] -> y [N, height, width, C].</summary>
    public static Tensor Resize(Tensor x, int height, int width)
    {
        const string op = "resize";
        OpCheck.Rank(op, "x", x, 4, "[N, H, W, C]");
        OpCheck.Float(op, "x", x);
        OpCheck.Positive(op, "height", height);
        OpCheck.Positive(op, "width", width);
        OpCheck.That(x.Shape[1] > 0 && x.Shape[2] > 0, op, $"x {x.Describe()} has no pixels to resize");
        var kernels = Backend.For(op, x);
        var y = Tensor.Empty([x.Shape[0], height, width, x.Shape[3]], x.DType, x.Device);
        if (y.ElementCount == 0) return y;
        using var xc = x.Contiguous();
        kernels.Resize(xc, y);
        return y;
    }
}

public static partial class OpCatalog
{
    public static readonly OpDef Resize = new()
    {
        Name = "resize", Signature = "x[N,H,W,C] -> y[N,OH,OW,C] (bilinear, half-pixel centres)", Tolerance = Tolerance.Elementwise,
        Run = (x, a) => { var (h, w) = ((int, int))a!; return [Ops.Resize(x[0], h, w)]; },
        Cases =
        [
            new("up 5x7 -> 13x9", [new([2, 5, 7, 3])], (13, 9)),
            new("down 12x10 -> 5x4", [new([1, 12, 10, 2])], (5, 4)),
            new("1 pixel -> 3x2", [new([1, 1, 1, 4])], (3, 2)),
            new("mask 28x28 -> 37x51", [new([3, 28, 28, 1])], (37, 51)),
            new("image 480x640 -> 800x1066", [new([1, 480, 640, 3])], (800, 1066), Bench: true),
        ],
    };
}
