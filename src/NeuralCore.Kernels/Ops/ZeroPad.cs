using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>Zero rows above/below and zero columns left/right of x [N, H, W, C] (Keras ZeroPadding2D).</summary>
public sealed record ZeroPadAttrs(int Top, int Bottom, int Left, int Right)
{
    public override string ToString() => $"pad({Top},{Bottom},{Left},{Right})";
}

/// <summary>zero_pad over NHWC; its gradient is the crop <see cref="ZeroPadBackward"/>.</summary>
public static partial class Ops
{
    /// <summary>x [N, H, W, C] -> y [N, top + H + bottom, left + W + right, C], x in the middle, zeros around.</summary>
    public static Tensor ZeroPad(Tensor x, ZeroPadAttrs attrs)
    {
        const string op = "zero_pad";
        OpCheck.Rank(op, "x", x, 4, "[N, H, W, C]");
        OpCheck.Float(op, "x", x);
        OpCheck.That(attrs.Top >= 0 && attrs.Bottom >= 0 && attrs.Left >= 0 && attrs.Right >= 0, op, $"padding must be >= 0, got {attrs} for x {x.Describe()}");
        Shape yShape = [x.Shape[0], x.Shape[1] + attrs.Top + attrs.Bottom, x.Shape[2] + attrs.Left + attrs.Right, x.Shape[3]];
        var kernels = Backend.For(op, x);
        var y = Tensor.Empty(yShape, x.DType, x.Device);
        using var xc = x.Contiguous();
        kernels.ZeroPad(xc, attrs, y);
        return y;
    }

    /// <summary>The gradient of zero_pad: the interior of dy [N, OH, OW, C] copied out, [N, OH - top - bottom, OW - left - right, C].</summary>
    public static Tensor ZeroPadBackward(Tensor dy, ZeroPadAttrs attrs)
    {
        const string op = "zero_pad_backward";
        OpCheck.Rank(op, "dy", dy, 4, "[N, OH, OW, C]");
        Shape xShape = [dy.Shape[0], dy.Shape[1] - attrs.Top - attrs.Bottom, dy.Shape[2] - attrs.Left - attrs.Right, dy.Shape[3]];
        OpCheck.That(xShape[1] >= 0 && xShape[2] >= 0, op, $"padding {attrs} larger than dy {dy.Describe()}");
        var kernels = Backend.For(op, dy);
        var dx = Tensor.Empty(xShape, dy.DType, dy.Device);
        using var dyc = dy.Contiguous();
        kernels.ZeroPadBackward(dyc, attrs, dx);
        return dx;
    }

    /// <summary>The [N, inner H, inner W, C] view of <paramref name="padded"/> that holds the unpadded tensor.</summary>
    internal static Tensor ZeroPadInterior(Tensor padded, ZeroPadAttrs attrs, Shape inner)
    {
        using var rows = padded.Slice(1, attrs.Top, inner[1]);
        return rows.Slice(2, attrs.Left, inner[2]);
    }
}

public static partial class OpCatalog
{
    public static readonly OpDef ZeroPad = new()
    {
        Name = "zero_pad", Signature = "x[N,H,W,C] -> y[N,t+H+b,l+W+r,C]",
        DifferentiableInputs = [0], Tolerance = Tolerance.Exact,
        Run = (x, a) => [Ops.ZeroPad(x[0], (ZeroPadAttrs)a!)],
        Cases =
        [
            new("MobileNetV2 (0,1),(0,1)", [new([2, 5, 4, 3])], new ZeroPadAttrs(0, 1, 0, 1)),
            new("asymmetric", [new([1, 3, 5, 2])], new ZeroPadAttrs(2, 1, 3, 0)),
            new("none", [new([1, 2, 3, 2])], new ZeroPadAttrs(0, 0, 0, 0)),
            new("large", [new([8, 64, 64, 96])], new ZeroPadAttrs(0, 1, 0, 1), Bench: true),
        ],
    };
}
