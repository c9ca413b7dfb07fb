using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

public enum UpsampleMode
{
    /// <summary>Each output cell copies the input cell it falls in (Keras UpSampling2D default).</summary>
    Nearest,

    /// <summary>
    /// Linear in H and W with half-pixel centres: source = (o + 0.5) / scale - 0.5, clamped at the edges
    /// (tf.image.resize bilinear with half_pixel_centers=True; PyTorch align_corners=False).
    /// </summary>
    Bilinear,
}

/// <summary>Integer scale factors and the interpolation of upsample.</summary>
public sealed record UpsampleAttrs(int ScaleH, int ScaleW, UpsampleMode Mode = UpsampleMode.Nearest)
{
    public override string ToString() => $"{Mode.ToString().ToLowerInvariant()} x{ScaleH}x{ScaleW}";

    internal void Check(string op)
    {
        OpCheck.Positive(op, "scale height", ScaleH);
        OpCheck.Positive(op, "scale width", ScaleW);
    }
}

/// <summary>upsample (Keras UpSampling2D) over NHWC, and its backward kernel upsample_backward.</summary>
public static partial class Ops
{
    /// <summary>x [N, H, W, C] -> y [N, H * scaleH, W * scaleW, C].</summary>
    public static Tensor Upsample(Tensor x, UpsampleAttrs attrs)
    {
        const string op = "upsample";
        OpCheck.Rank(op, "x", x, 4, "[N, H, W, C]");
        OpCheck.Float(op, "x", x);
        attrs.Check(op);
        Shape yShape = [x.Shape[0], x.Shape[1] * attrs.ScaleH, x.Shape[2] * attrs.ScaleW, x.Shape[3]];
        var kernels = Backend.For(op, x);
        var y = Tensor.Empty(yShape, x.DType, x.Device);
        using var xc = x.Contiguous();
        kernels.Upsample(xc, attrs, y);
        return y;
    }

    /// <summary>dy [N, H * scaleH, W * scaleW, C] -> dx [N, H, W, C]: each dy cell scattered with its forward weights.</summary>
    public static Tensor UpsampleBackward(Tensor dy, UpsampleAttrs attrs)
    {
        const string op = "upsample_backward";
        OpCheck.Rank(op, "dy", dy, 4, "[N, OH, OW, C]");
        OpCheck.Float(op, "dy", dy);
        attrs.Check(op);
        OpCheck.That(dy.Shape[1] % attrs.ScaleH == 0 && dy.Shape[2] % attrs.ScaleW == 0, op,
            $"dy {dy.Describe()} height and width must be multiples of the scales {attrs.ScaleH}x{attrs.ScaleW}");
        Shape xShape = [dy.Shape[0], dy.Shape[1] / attrs.ScaleH, dy.Shape[2] / attrs.ScaleW, dy.Shape[3]];
        var kernels = Backend.For(op, dy);
        var dx = Tensor.Empty(xShape, dy.DType, dy.Device);
        using var dyc = dy.Contiguous();
        kernels.UpsampleBackward(dyc, attrs, dx);
        return dx;
    }
}

public static partial class OpCatalog
{
    private static (string Label, Shape X, UpsampleAttrs Attrs, bool Bench)[] UpsampleCases =>
    [
        ("nearest 2x", [2, 3, 4, 3], new UpsampleAttrs(2, 2), false),
        ("nearest 3x2", [1, 3, 2, 2], new UpsampleAttrs(3, 2), false),
        ("bilinear 2x", [2, 3, 4, 3], new UpsampleAttrs(2, 2, UpsampleMode.Bilinear), false),
        ("bilinear 3x1", [1, 4, 3, 2], new UpsampleAttrs(3, 1, UpsampleMode.Bilinear), false),
        ("bilinear 1x1 pixel", [1, 1, 1, 2], new UpsampleAttrs(2, 2, UpsampleMode.Bilinear), false),
        ("bilinear 2x, split over threads", [2, 12, 10, 40], new UpsampleAttrs(2, 2, UpsampleMode.Bilinear), false),
        ("nearest 2x large", [8, 32, 32, 64], new UpsampleAttrs(2, 2), true),
        ("bilinear 2x large", [8, 32, 32, 64], new UpsampleAttrs(2, 2, UpsampleMode.Bilinear), true),
    ];

    public static readonly OpDef Upsample = new()
    {
        Name = "upsample", Signature = "x[N,H,W,C] -> y[N,H*sh,W*sw,C] (nearest | bilinear half-pixel)",
        DifferentiableInputs = [0], Tolerance = Tolerance.Elementwise,
        Run = (x, a) => [Ops.Upsample(x[0], (UpsampleAttrs)a!)],
        Cases = UpsampleCases.Select(c => new OpCase(c.Label, [new(c.X)], c.Attrs, c.Bench)).ToArray(),
    };

    public static readonly OpDef UpsampleBackward = new()
    {
        Name = "upsample_backward", Signature = "dy[N,H*sh,W*sw,C] -> dx[N,H,W,C]",
        Tolerance = Tolerance.Accumulating,
        Run = (x, a) => [Ops.UpsampleBackward(x[0], (UpsampleAttrs)a!)],
        Cases = UpsampleCases
            .Select(c => new OpCase(c.Label, [new([c.X[0], c.X[1] * c.Attrs.ScaleH, c.X[2] * c.Attrs.ScaleW, c.X[3]])], c.Attrs, c.Bench))
            .ToArray(),
    };
}
