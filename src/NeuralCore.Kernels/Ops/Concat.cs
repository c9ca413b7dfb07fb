using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>concat along any axis (U-Net skips: channels), and its inverses slice_axis and split.</summary>
public static partial class Ops
{
    /// <summary>Joins <paramref name="xs"/> along <paramref name="axis"/> (negative counts from the end); other dimensions must agree.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> xs, int axis)
    {
        const string op = "concat";
        OpCheck.That(xs.Count > 0, op, "needs at least one input");
        var first = xs[0];
        OpCheck.Float(op, "xs[0]", first);
        int ax = NormaliseAxis(op, axis, first);
        int total = 0;
        for (int i = 0; i < xs.Count; i++)
        {
            var t = xs[i];
            OpCheck.SameDType(op, first, "xs[0]", t, $"xs[{i}]");
            bool compatible = t.Rank == first.Rank;
            for (int d = 0; compatible && d < t.Rank; d++) compatible = d == ax || t.Shape[d] == first.Shape[d];
            OpCheck.That(compatible, op, $"xs[{i}] {t.Describe()} does not match xs[0] {first.Describe()} outside axis {ax}");
            total += t.Shape[ax];
        }
        var yShape = first.Shape.With(ax, total);
        var kernels = Backend.For(op, xs.ToArray());
        var y = Tensor.Empty(yShape, first.DType, first.Device);
        var parts = xs.Select(t => t.Contiguous()).ToArray();
        try
        {
            kernels.Concat(parts, ax, y);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
        return y;
    }

    /// <summary>
    /// Concatenation as copies of row blocks: y is <c>Outer</c> rows, each the pieces' rows side by side, piece i
    /// contributing <c>Widths[i]</c> contiguous elements per row.
    /// </summary>
    internal static (int Outer, int[] Widths) ConcatBlocks(Tensor[] xs, int axis, Shape yShape)
    {
        int outer = OuterCount(yShape, axis), inner = yShape.ElementCount / Math.Max(outer * yShape[axis], 1);
        return (outer, xs.Select(p => p.Shape[axis] * inner).ToArray());
    }

    /// <summary>A copy of entries [start, start + length) of <paramref name="axis"/>.</summary>
    public static Tensor SliceAxis(Tensor x, int axis, int start, int length)
    {
        const string op = "slice_axis";
        OpCheck.Float(op, "x", x);
        int ax = NormaliseAxis(op, axis, x);
        OpCheck.That(start >= 0 && length >= 0 && start + length <= x.Shape[ax], op,
            $"range [{start}, {start + length}) outside axis {ax} of x {x.Describe()}");
        return SlicePieces(op, x, ax, [start], [length])[0];
    }

    /// <summary>Copies of the ranges [starts[i], starts[i] + lengths[i]) of axis <paramref name="ax"/>, in one pass on the Cpu backend.</summary>
    private static Tensor[] SlicePieces(string op, Tensor x, int ax, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths)
    {
        var kernels = Backend.For(op, x);
        var ys = new Tensor[starts.Length];
        for (int i = 0; i < ys.Length; i++) ys[i] = Tensor.Empty(x.Shape.With(ax, lengths[i]), x.DType, x.Device);
        using var xc = x.Contiguous();
        kernels.Slice(xc, ax, starts, ys);
        return ys;
    }

    /// <summary>Cuts x along <paramref name="axis"/> into pieces of <paramref name="sizes"/> (which must sum to the axis length).</summary>
    public static Tensor[] Split(Tensor x, int axis, IReadOnlyList<int> sizes)
    {
        const string op = "split";
        OpCheck.Float(op, "x", x);
        int ax = NormaliseAxis(op, axis, x);
        OpCheck.That(sizes.All(s => s >= 0) && sizes.Sum() == x.Shape[ax], op,
            $"sizes [{string.Join(", ", sizes)}] must be >= 0 and sum to axis {ax} of x {x.Describe()}");
        Span<int> starts = stackalloc int[sizes.Count], lengths = stackalloc int[sizes.Count];
        for (int i = 0, start = 0; i < sizes.Count; start += sizes[i], i++)
        {
            starts[i] = start;
            lengths[i] = sizes[i];
        }
        return SlicePieces(op, x, ax, starts, lengths);
    }

    private static int NormaliseAxis(string op, int axis, Tensor x)
    {
        int ax = axis < 0 ? axis + x.Rank : axis;
        OpCheck.That(ax >= 0 && ax < x.Rank, op, $"axis {axis} out of range for x {x.Describe()}");
        return ax;
    }

    /// <summary>Product of the dimensions before <paramref name="axis"/>.</summary>
    private static int OuterCount(Shape s, int axis)
    {
        int outer = 1;
        for (int d = 0; d < axis; d++) outer *= s[d];
        return outer;
    }
}

/// <summary>Attributes of split: the axis and the length of each piece.</summary>
public sealed record SplitAttrs(int Axis, int[] Sizes)
{
    public override string ToString() => $"axis={Axis} sizes=[{string.Join(",", Sizes)}]";
}

/// <summary>Attributes of slice_axis.</summary>
public sealed record SliceAxisAttrs(int Axis, int Start, int Length)
{
    public override string ToString() => $"axis={Axis} [{Start}, {Start + Length})";
}

public static partial class OpCatalog
{
    public static readonly OpDef Concat = new()
    {
        Name = "concat", Signature = "xs[i][..., Ai, ...] (axis) -> y[..., sum Ai, ...]",
        DifferentiableInputs = [0, 1], Tolerance = Tolerance.Exact,
        Run = (x, a) => [Ops.Concat(x, (int)a!)],
        Cases =
        [
            new("channels", [new([2, 3, 4, 3]), new([2, 3, 4, 5])], -1),
            new("channels three", [new([1, 3, 2, 2]), new([1, 3, 2, 1]), new([1, 3, 2, 3])], 3),
            new("height", [new([2, 3, 4, 2]), new([2, 1, 4, 2])], 1),
            new("batch", [new([1, 2, 3]), new([2, 2, 3])], 0),
            new("U-Net skip large", [new([8, 64, 64, 64]), new([8, 64, 64, 64])], 3, Bench: true),
        ],
    };

    public static readonly OpDef SliceAxis = new()
    {
        Name = "slice_axis", Signature = "x[..., A, ...] (axis, start, length) -> y[..., length, ...]",
        DifferentiableInputs = [0], Tolerance = Tolerance.Exact,
        Run = (x, a) =>
        {
            var s = (SliceAxisAttrs)a!;
            return [Ops.SliceAxis(x[0], s.Axis, s.Start, s.Length)];
        },
        Cases =
        [
            new("channels", [new([2, 3, 4, 7])], new SliceAxisAttrs(3, 2, 4)),
            new("width", [new([2, 3, 5, 2])], new SliceAxisAttrs(2, 1, 3)),
            new("channels large", [new([8, 64, 64, 128])], new SliceAxisAttrs(3, 64, 64), Bench: true),
        ],
    };

    public static readonly OpDef Split = new()
    {
        Name = "split", Signature = "x[..., A, ...] (axis, sizes) -> pieces[i][..., sizes[i], ...]",
        DifferentiableInputs = [0], Tolerance = Tolerance.Exact,
        Run = (x, a) =>
        {
            var s = (SplitAttrs)a!;
            return Ops.Split(x[0], s.Axis, s.Sizes);
        },
        Cases =
        [
            new("channels", [new([2, 3, 4, 8])], new SplitAttrs(-1, [3, 1, 4])),
            new("height", [new([1, 5, 3, 2])], new SplitAttrs(1, [2, 3])),
            new("channels large", [new([8, 64, 64, 128])], new SplitAttrs(3, [64, 64]), Bench: true),
        ],
    };
}
