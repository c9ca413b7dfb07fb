using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

/// <summary>Differentiable ops (the functional API, like torch.nn.functional). Each op's backward sits under its forward.</summary>
public static partial class F
{
    public static Tensor Add(Tensor a, Tensor b)
    {
        var (aShape, bShape) = (a.Shape, b.Shape);
        return Tape.Record("add", Ops.Add(a, b), [a, b], [], (dy, needs, _) =>
        [
            needs[0] ? SumToShape(dy, aShape) : null,
            needs[1] ? SumToShape(dy, bShape) : null,
        ]);
    }

    public static Tensor Sub(Tensor a, Tensor b)
    {
        var (aShape, bShape) = (a.Shape, b.Shape);
        return Tape.Record("sub", Ops.Sub(a, b), [a, b], [], (dy, needs, _) =>
        [
            needs[0] ? SumToShape(dy, aShape) : null,
            needs[1] ? NegatedSumToShape(dy, bShape) : null,
        ]);
    }

    /// <summary>a * b; each input's gradient needs the other input, so only those are kept.</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        var (aShape, bShape) = (a.Shape, b.Shape);
        return Tape.Record("mul", Ops.Mul(a, b), [a, b], [b.RequiresGrad ? a : null, a.RequiresGrad ? b : null], (dy, needs, saved) =>
        [
            needs[0] ? ProductSumToShape(dy, saved[1]!, aShape) : null,
            needs[1] ? ProductSumToShape(dy, saved[0]!, bShape) : null,
        ]);
    }

    public static Tensor Div(Tensor a, Tensor b)
    {
        var (aShape, bShape) = (a.Shape, b.Shape);
        return Tape.Record("div", Ops.Div(a, b), [a, b], [b.RequiresGrad ? a : null, b], (dy, needs, saved) =>
        {
            var (sa, sb) = (saved[0], saved[1]!);
            Tensor? da = null, db = null;
            if (needs[0])
            {
                using var q = Ops.Div(dy, sb);
                da = SumToShape(q, aShape);
            }
            if (needs[1])
            {
                // d(a/b)/db = -a / b^2 = -(a/b) / b
                using var y = Ops.Div(sa!, sb);
                using var yb = Ops.Div(y, sb);
                using var prod = Ops.Mul(dy, yb);
                db = NegatedSumToShape(prod, bShape);
            }
            return [da, db];
        });
    }

    public static Tensor Scale(Tensor x, double factor) =>
        Tape.Record("scale", Ops.Scale(x, factor), [x], [], (dy, _, _) => [Ops.Scale(dy, factor)]);

    /// <summary>
    /// Sums a broadcast gradient back to the shape of the input it was broadcast from. Always returns a new tensor
    /// object (a view when nothing was broadcast), so the caller may dispose <paramref name="g"/>.
    /// </summary>
    public static Tensor SumToShape(Tensor g, Shape shape)
    {
        if (g.Shape == shape) return g.Contiguous();
        int lead = g.Rank - shape.Rank;
        var axes = new List<int>();
        for (int i = 0; i < g.Rank; i++)
            if (i < lead || (shape[i - lead] == 1 && g.Shape[i] != 1)) axes.Add(i);
        using var summed = Ops.Sum(g, axes.ToArray(), keepDims: true);
        using var contiguous = summed.Contiguous();
        return contiguous.Reshape(shape.ToArray());
    }

    private static Tensor NegatedSumToShape(Tensor g, Shape shape)
    {
        using var neg = Ops.Scale(g, -1);
        return SumToShape(neg, shape);
    }

    private static Tensor ProductSumToShape(Tensor dy, Tensor other, Shape shape)
    {
        using var prod = Ops.Mul(dy, other);
        return SumToShape(prod, shape);
    }
}
