using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>sum and mean over axes (keepdims optional), and broadcast_to, their adjoint.</summary>
public static partial class Ops
{
    /// <summary>Sum over <paramref name="axes"/> (all axes when empty).</summary>
    public static Tensor Sum(Tensor x, int[]? axes = null, bool keepDims = false) => Reduce("sum", x, axes, keepDims, mean: false);

    /// <summary>Mean over <paramref name="axes"/> (all axes when empty).</summary>
    public static Tensor Mean(Tensor x, int[]? axes = null, bool keepDims = false) => Reduce("mean", x, axes, keepDims, mean: true);

    /// <summary>The shape with reduced axes set to 1, and the output shape (reduced axes dropped unless kept).</summary>
    public static (Shape Kept, Shape Output) ReductionShapes(string op, Shape x, int[]? axes, bool keepDims)
    {
        var reduce = new bool[x.Rank];
        if (axes is null || axes.Length == 0) Array.Fill(reduce, true);
        else
            foreach (var a in axes)
            {
                int ax = a < 0 ? a + x.Rank : a;
                OpCheck.That(ax >= 0 && ax < x.Rank, op, $"axis {a} out of range for input {x}");
                OpCheck.That(!reduce[ax], op, $"axis {a} listed twice");
                reduce[ax] = true;
            }
        var kept = new int[x.Rank];
        var output = new List<int>();
        for (int i = 0; i < x.Rank; i++)
        {
            kept[i] = reduce[i] ? 1 : x[i];
            if (!reduce[i] || keepDims) output.Add(kept[i]);
        }
        return (new Shape(kept), new Shape(output.ToArray()));
    }

    private static Tensor Reduce(string op, Tensor x, int[]? axes, bool keepDims, bool mean)
    {
        OpCheck.Float(op, "x", x);
        var (kept, outShape) = ReductionShapes(op, x.Shape, axes, keepDims);
        int count = x.ElementCount / Math.Max(kept.ElementCount, 1);
        double scale = mean ? 1.0 / Math.Max(count, 1) : 1.0;
        var y = Tensor.Empty(outShape, x.DType, x.Device);
        using var xc = x.Contiguous();
        Backend.For(op, x).Sum(xc, kept, scale, y);
        return y;
    }

    /// <summary>Repeats <paramref name="x"/> along broadcast axes to <paramref name="shape"/> (NumPy rules).</summary>
    public static Tensor BroadcastTo(Tensor x, Shape shape)
    {
        const string op = "broadcast_to";
        OpCheck.Float(op, "x", x);
        OpCheck.That(Broadcast.Shape(op, x.Shape, shape) == shape, op, $"cannot broadcast {x.Describe()} to {shape}");
        var y = Tensor.Empty(shape, x.DType, x.Device);
        using var xc = x.Contiguous();
        Backend.For(op, x).BroadcastTo(xc, y);
        return y;
    }
}

/// <summary>Attributes of sum and mean.</summary>
public sealed record ReduceAttrs(int[]? Axes, bool KeepDims)
{
    public override string ToString() => $"axes=[{string.Join(",", Axes ?? [])}] keep={KeepDims}";
}

public static partial class OpCatalog
{
    private static OpCase[] ReductionCases =>
    [
        new("all", [new([3, 4, 5])], new ReduceAttrs(null, false)),
        new("NHW (BN statistics)", [new([2, 5, 7, 3])], new ReduceAttrs([0, 1, 2], false)),
        new("HW keepdims (global pool)", [new([2, 5, 7, 3])], new ReduceAttrs([1, 2], true)),
        new("last axis", [new([4, 6, 9])], new ReduceAttrs([-1], false)),
        new("large NHW", [new([8, 64, 64, 64])], new ReduceAttrs([0, 1, 2], false), Bench: true),
    ];

    public static readonly OpDef Sum = new()
    {
        Name = "sum", Signature = "x, axes, keepdims -> y", DifferentiableInputs = [0], Tolerance = Tolerance.Accumulating,
        Run = (x, a) => [Ops.Sum(x[0], ((ReduceAttrs)a!).Axes, ((ReduceAttrs)a!).KeepDims)], Cases = ReductionCases,
    };

    public static readonly OpDef Mean = new()
    {
        Name = "mean", Signature = "x, axes, keepdims -> y", DifferentiableInputs = [0], Tolerance = Tolerance.Accumulating,
        Run = (x, a) => [Ops.Mean(x[0], ((ReduceAttrs)a!).Axes, ((ReduceAttrs)a!).KeepDims)], Cases = ReductionCases,
    };

    public static readonly OpDef BroadcastTo = new()
    {
        Name = "broadcast_to", Signature = "x, shape -> y", DifferentiableInputs = [0], Tolerance = Tolerance.Exact,
        Run = (x, a) => [Ops.BroadcastTo(x[0], (Shape)a!)],
        Cases =
        [
            new("bias to NHWC", [new([3])], new Shape(2, 4, 5, 3)),
            new("keepdims back", [new([2, 1, 1, 3])], new Shape(2, 4, 5, 3)),
            new("scalar", [new(Shape.Scalar)], new Shape(3, 2)),
            new("large bias", [new([64])], new Shape(8, 64, 64, 64), Bench: true),
        ],
    };
}
