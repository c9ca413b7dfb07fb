using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>Transpose flags of matmul: y = op(a) @ op(b) with op = transpose of the last two axes when set.</summary>
public sealed record MatmulAttrs(bool TransposeA = false, bool TransposeB = false)
{
    public override string ToString() => $"{(TransposeA ? "aT" : "a")}{(TransposeB ? "bT" : "b")}";
}

/// <summary>matmul: 2-D matrix product, optionally batched over equal leading dimensions.</summary>
public static partial class Ops
{
    /// <summary>
    /// a [..., M, K] (or [..., K, M] with <paramref name="transposeA"/>) times b [..., K, N] (or [..., N, K] with
    /// <paramref name="transposeB"/>) -> y [..., M, N]. Leading (batch) dimensions must be equal.
    /// </summary>
    public static Tensor Matmul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        const string op = "matmul";
        OpCheck.Float(op, "a", a);
        OpCheck.Float(op, "b", b);
        OpCheck.SameDType(op, a, "a", b, "b");
        var (_, m, _, n) = MatmulDims(op, a.Shape, b.Shape, transposeA, transposeB);
        var dims = a.Shape.ToArray();
        dims[^2] = m;
        dims[^1] = n;
        var kernels = Backend.For(op, a, b);
        var y = Tensor.Empty(new Shape(dims), a.DType, a.Device);
        using var ac = a.Contiguous();
        using var bc = b.Contiguous();
        kernels.Matmul(ac, bc, transposeA, transposeB, y);
        return y;
    }

    /// <summary>Batch count, M, K, N of a matmul; throws naming both shapes when they do not fit.</summary>
    public static (int Batch, int M, int K, int N) MatmulDims(string op, Shape a, Shape b, bool transposeA, bool transposeB)
    {
        OpCheck.That(a.Rank >= 2 && a.Rank == b.Rank, op, $"a {a} and b {b} must have the same rank >= 2");
        int batch = 1;
        for (int d = 0; d < a.Rank - 2; d++)
        {
            OpCheck.That(a[d] == b[d], op, $"batch dimensions of a {a} and b {b} differ at axis {d}");
            batch *= a[d];
        }
        int m = transposeA ? a[^1] : a[^2], ka = transposeA ? a[^2] : a[^1];
        int kb = transposeB ? b[^1] : b[^2], n = transposeB ? b[^2] : b[^1];
        OpCheck.That(ka == kb, op, $"inner dimensions differ: a {a}{(transposeA ? " (transposed)" : "")} has K = {ka}, b {b}{(transposeB ? " (transposed)" : "")} has K = {kb}");
        return (batch, m, ka, n);
    }
}

public static partial class OpCatalog
{
    public static readonly OpDef Matmul = new()
    {
        Name = "matmul", Signature = "a[...,M,K], b[...,K,N] (transpose flags) -> y[...,M,N]",
        DifferentiableInputs = [0, 1], Tolerance = Tolerance.Accumulating,
        Run = (x, a) =>
        {
            var t = (MatmulAttrs)a!;
            return [Ops.Matmul(x[0], x[1], t.TransposeA, t.TransposeB)];
        },
        Flops = c =>
        {
            var t = (MatmulAttrs)c.Attrs!;
            var (batch, m, k, n) = Ops.MatmulDims("matmul", c.Inputs[0].Shape, c.Inputs[1].Shape, t.TransposeA, t.TransposeB);
            return 2.0 * batch * m * k * n;
        },
        Cases =
        [
            new("plain", [new([5, 7]), new([7, 3])], new MatmulAttrs()),
            new("a transposed", [new([7, 5]), new([7, 3])], new MatmulAttrs(TransposeA: true)),
            new("b transposed", [new([5, 7]), new([3, 7])], new MatmulAttrs(TransposeB: true)),
            new("both transposed", [new([7, 5]), new([3, 7])], new MatmulAttrs(true, true)),
            new("batched", [new([2, 3, 4]), new([2, 4, 5])], new MatmulAttrs()),
            new("batched both transposed", [new([3, 6, 5]), new([3, 7, 6])], new MatmulAttrs(true, true)),
            new("batched 128x96x80", [new([2, 128, 96]), new([2, 96, 80])], new MatmulAttrs()),
            new("1024 cube", [new([1024, 1024]), new([1024, 1024])], new MatmulAttrs(), Bench: true),
            new("batched 8x256x256", [new([8, 256, 256]), new([8, 256, 256])], new MatmulAttrs(TransposeB: true), Bench: true),
        ],
    };
}
