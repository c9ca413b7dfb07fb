using NeuralCore.Kernels.Catalog;
using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>add, sub, mul, div with NumPy broadcasting; scale by a constant; in-place accumulate.</summary>
public static partial class Ops
{
    /// <summary>a + b, broadcast.</summary>
    public static Tensor Add(Tensor a, Tensor b) => Binary("add", BinaryOp.Add, a, b);

    /// <summary>a - b, broadcast.</summary>
    public static Tensor Sub(Tensor a, Tensor b) => Binary("sub", BinaryOp.Sub, a, b);

    /// <summary>a * b, broadcast.</summary>
    public static Tensor Mul(Tensor a, Tensor b) => Binary("mul", BinaryOp.Mul, a, b);

    /// <summary>a / b, broadcast.</summary>
    public static Tensor Div(Tensor a, Tensor b) => Binary("div", BinaryOp.Div, a, b);

    private static Tensor Binary(string op, BinaryOp kind, Tensor a, Tensor b)
    {
        OpCheck.Float(op, "a", a);
        OpCheck.Float(op, "b", b);
        OpCheck.SameDType(op, a, "a", b, "b");
        var yShape = Broadcast.Shape(op, a.Shape, b.Shape);
        var kernels = Backend.For(op, a, b);
        var y = Tensor.Empty(yShape, a.DType, a.Device);
        using var ac = a.Contiguous();
        using var bc = b.Contiguous();
        kernels.Binary(kind, ac, bc, y);
        return y;
    }

    /// <summary>x * factor.</summary>
    public static Tensor Scale(Tensor x, double factor)
    {
        const string op = "scale";
        OpCheck.Float(op, "x", x);
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        using var xc = x.Contiguous();
        Backend.For(op, x).Scale(xc, factor, y);
        return y;
    }

    /// <summary>dst += src (same shape; gradient accumulation). <paramref name="dst"/> must be contiguous.</summary>
    public static void Accumulate(Tensor dst, Tensor src)
    {
        const string op = "accumulate";
        OpCheck.Float(op, "dst", dst);
        OpCheck.SameDType(op, dst, "dst", src, "src");
        OpCheck.Shape(op, "src", src, dst.Shape);
        OpCheck.That(dst.IsContiguous, op, $"dst {dst.Describe()} must be contiguous");
        using var sc = src.Contiguous();
        Backend.For(op, dst, src).Accumulate(dst, sc);
    }
}

public static partial class OpCatalog
{
    private static OpCase[] BinaryCases =>
    [
        new("same shape", [new([2, 5, 7, 3]), new([2, 5, 7, 3])]),
        new("bias [C]", [new([2, 5, 7, 6]), new([6])], Bench: false),
        new("per-sample [N,1,1,C]", [new([3, 4, 5, 6]), new([3, 1, 1, 6])]),
        new("scalar", [new([4, 9]), new(Shape.Scalar)]),
        new("both broadcast", [new([4, 1, 3]), new([1, 5, 1])]),
        new("large", [new([8, 64, 64, 64]), new([8, 64, 64, 64])], Bench: true),
        new("large bias", [new([8, 64, 64, 64]), new([64])], Bench: true),
    ];

    private static OpCase[] DivCases =>
        BinaryCases.Select(c => c with { Inputs = [c.Inputs[0], c.Inputs[1] with { Kind = InputKind.Positive }] }).ToArray();

    public static readonly OpDef Add = new()
    {
        Name = "add", Signature = "a, b (broadcast) -> y", DifferentiableInputs = [0, 1],
        Run = (x, _) => [Ops.Add(x[0], x[1])], Cases = BinaryCases,
    };

    public static readonly OpDef Sub = new()
    {
        Name = "sub", Signature = "a, b (broadcast) -> y", DifferentiableInputs = [0, 1],
        Run = (x, _) => [Ops.Sub(x[0], x[1])], Cases = BinaryCases,
    };

    public static readonly OpDef Mul = new()
    {
        Name = "mul", Signature = "a, b (broadcast) -> y", DifferentiableInputs = [0, 1],
        Run = (x, _) => [Ops.Mul(x[0], x[1])], Cases = BinaryCases,
    };

    public static readonly OpDef Div = new()
    {
        Name = "div", Signature = "a, b (broadcast, b != 0) -> y", DifferentiableInputs = [0, 1],
        Run = (x, _) => [Ops.Div(x[0], x[1])], Cases = DivCases,
    };

    public static readonly OpDef Scale = new()
    {
        Name = "scale", Signature = "x, factor -> x * factor", DifferentiableInputs = [0],
        Run = (x, a) => [Ops.Scale(x[0], (double)a!)],
        Cases = [new("odd", [new([3, 5, 7])], 0.37), new("large", [new([8, 64, 64, 64])], -1.5, Bench: true)],
    };

    public static readonly OpDef Accumulate = new()
    {
        Name = "accumulate", Signature = "dst += src (same shape, in place)", MutatedInputs = [0],
        Run = (x, _) => { Ops.Accumulate(x[0], x[1]); return []; },
        Cases = [new("odd", [new([3, 5, 7]), new([3, 5, 7])]), new("large", [new([8, 64, 64, 64]), new([8, 64, 64, 64])], Bench: true)],
    };
}
