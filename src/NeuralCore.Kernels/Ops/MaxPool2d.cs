using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>max_pool2d over NHWC and its backward kernel max_pool2d_backward.</summary>
public static partial class Ops
{
    /// <summary>Window maximum. x [N, H, W, C] -> y [N, OH, OW, C]; padded cells never win.</summary>
    public static Tensor MaxPool2d(Tensor x, Pool2dAttrs attrs)
    {
        const string op = "max_pool2d";
        var yShape = attrs.OutputShape(op, x);
        var kernels = Backend.For(op, x);
        var y = Tensor.Empty(yShape, x.DType, x.Device);
        using var xc = x.Contiguous();
        kernels.MaxPool2d(xc, attrs, y);
        return y;
    }

    /// <summary>
    /// dx [N, H, W, C]: each dy element goes to the first maximum of its window (window order, like PyTorch),
    /// recomputed from the forward input x; overlapping windows add up.
    /// </summary>
    public static Tensor MaxPool2dBackward(Tensor x, Tensor dy, Pool2dAttrs attrs)
    {
        const string op = "max_pool2d_backward";
        var yShape = attrs.OutputShape(op, x);
        OpCheck.Shape(op, "dy", dy, yShape);
        OpCheck.SameDType(op, x, "x", dy, "dy");
        var kernels = Backend.For(op, x, dy);
        var dx = Tensor.Empty(x.Shape, x.DType, x.Device);
        using var xc = x.Contiguous();
        using var dyc = dy.Contiguous();
        kernels.MaxPool2dBackward(xc, dyc, attrs, dx);
        return dx;
    }
}

public static partial class OpCatalog
{
    /// <summary>Pooling test shapes: valid, TF 'same' with the odd pad after (DenseNet's 3x3 s2 pool), explicit pads.</summary>
    private static (string Label, Shape X, Pool2dAttrs Attrs, bool Bench)[] PoolCases =>
    [
        ("2x2 s2 valid", [2, 6, 8, 3], Pool2dAttrs.Valid(2, 2), false),
        ("2x2 s2 valid odd size", [1, 7, 5, 2], Pool2dAttrs.Valid(2, 2), false),
        ("3x3 s2 same", [2, 8, 7, 3], Pool2dAttrs.Same(3, 2, 8, 7), false),
        ("2x2 s2 same odd", [1, 5, 5, 4], Pool2dAttrs.Same(2, 2, 5, 5), false),
        ("3x2 s1x2 explicit pads", [1, 5, 6, 2], new Pool2dAttrs(3, 2, 1, 2, 1, 2, 0, 1), false),
        ("2x2 s2 valid C=19", [1, 4, 6, 19], Pool2dAttrs.Valid(2, 2), false),
        ("2x2 s3 same odd C=16", [1, 7, 5, 16], Pool2dAttrs.Same(2, 3, 7, 5), false),
        ("3x3 s2 same, split over threads", [2, 23, 21, 40], Pool2dAttrs.Same(3, 2, 23, 21), false),
        ("2x2 s2 valid, split over threads", [2, 22, 20, 40], Pool2dAttrs.Valid(2, 2), false),
        ("2x2 s2 large", [8, 128, 128, 64], Pool2dAttrs.Valid(2, 2), true),
    ];

    private static Shape PoolOutput(Shape x, Pool2dAttrs a)
    {
        var (oh, ow) = a.OutputSize("pool case", x);
        return [x[0], oh, ow, x[3]];
    }

    public static readonly OpDef MaxPool2d = new()
    {
        Name = "max_pool2d", Signature = "x[N,H,W,C] -> y[N,OH,OW,C] (attrs: kernel, stride, pads)",
        DifferentiableInputs = [0], Tolerance = Tolerance.Exact,
        Run = (x, a) => [Ops.MaxPool2d(x[0], (Pool2dAttrs)a!)],
        Cases = PoolCases.Select(c => new OpCase(c.Label, [new(c.X)], c.Attrs, c.Bench)).ToArray(),
    };

    public static readonly OpDef MaxPool2dBackward = new()
    {
        Name = "max_pool2d_backward", Signature = "x[N,H,W,C], dy[N,OH,OW,C] -> dx[N,H,W,C]",
        Tolerance = Tolerance.Exact,
        Run = (x, a) => [Ops.MaxPool2dBackward(x[0], x[1], (Pool2dAttrs)a!)],
        Cases = PoolCases.Select(c => new OpCase(c.Label, [new(c.X), new(PoolOutput(c.X, c.Attrs))], c.Attrs, c.Bench)).ToArray(),
    };
}
