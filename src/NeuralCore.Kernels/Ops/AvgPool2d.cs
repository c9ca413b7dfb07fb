using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>avg_pool2d over NHWC (padded cells not counted, TensorFlow semantics) and avg_pool2d_backward.</summary>
public static partial class Ops
{
    /// <summary>Window mean over the real cells of each window. x [N, H, W, C] -> y [N, OH, OW, C].</summary>
    public static Tensor AvgPool2d(Tensor x, Pool2dAttrs attrs)
    {
        const string op = "avg_pool2d";
        var yShape = attrs.OutputShape(op, x);
        var kernels = Backend.For(op, x);
        var y = Tensor.Empty(yShape, x.DType, x.Device);
        using var xc = x.Contiguous();
        kernels.AvgPool2d(xc, attrs, y);
        return y;
    }

    /// <summary>dx [N, H, W, C] (<paramref name="xShape"/>): each dy element spread evenly over its window's real cells.</summary>
    public static Tensor AvgPool2dBackward(Tensor dy, Shape xShape, Pool2dAttrs attrs)
    {
        const string op = "avg_pool2d_backward";
        OpCheck.Float(op, "dy", dy);
        OpCheck.That(xShape.Rank == 4, op, $"input shape must be [N, H, W, C], got {xShape}");
        var (oh, ow) = attrs.OutputSize(op, xShape);
        OpCheck.Shape(op, "dy", dy, [xShape[0], oh, ow, xShape[3]]);
        var kernels = Backend.For(op, dy);
        var dx = Tensor.Empty(xShape, dy.DType, dy.Device);
        using var dyc = dy.Contiguous();
        kernels.AvgPool2dBackward(dyc, attrs, dx);
        return dx;
    }
}

public static partial class OpCatalog
{
    public static readonly OpDef AvgPool2d = new()
    {
        Name = "avg_pool2d", Signature = "x[N,H,W,C] -> y[N,OH,OW,C] (attrs: kernel, stride, pads; pads not counted)",
        DifferentiableInputs = [0], Tolerance = new Tolerance(1e-6, 1e-5),
        Run = (x, a) => [Ops.AvgPool2d(x[0], (Pool2dAttrs)a!)],
        Cases = PoolCases.Select(c => new OpCase(c.Label, [new(c.X)], c.Attrs, c.Bench)).ToArray(),
    };

    public static readonly OpDef AvgPool2dBackward = new()
    {
        Name = "avg_pool2d_backward", Signature = "dy[N,OH,OW,C] -> dx[N,H,W,C] (attrs: pool attrs, x shape)",
        Tolerance = new Tolerance(1e-6, 1e-5),
        Run = (x, a) =>
        {
            var (pool, xShape) = ((Pool2dAttrs, Shape))a!;
            return [Ops.AvgPool2dBackward(x[0], xShape, pool)];
        },
        Cases = PoolCases.Select(c => new OpCase(c.Label, [new(PoolOutput(c.X, c.Attrs))], (c.Attrs, c.X), c.Bench)).ToArray(),
    };
}
