using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>argmax over the last axis: predicted classes from NHWC logits. Not differentiable.</summary>
public static partial class Ops
{
    /// <summary>The index of the largest value along the last axis; ties go to the first index. x [..., K] -> int32 [...].</summary>
    public static Tensor Argmax(Tensor x)
    {
        const string op = "argmax";
        OpCheck.Float(op, "x", x);
        OpCheck.That(x.Rank >= 1 && x.Shape[-1] > 0, op, $"x must have a non-empty last axis [..., K], got {x.Describe()}");
        var indices = Tensor.Empty(Shape.Create(x.Shape.AsSpan()[..^1]), DType.Int32, x.Device);
        using var xc = x.Contiguous();
        Backend.For(op, x).Argmax(xc, indices);
        return indices;
    }
}

public static partial class OpCatalog
{
    public static readonly OpDef Argmax = new()
    {
        Name = "argmax", Signature = "x[..., K] -> int32 indices[...] (first of ties)", Tolerance = Tolerance.Exact,
        Run = (x, _) => [Ops.Argmax(x[0])],
        Cases =
        [
            new("pets K=3", [new([2, 5, 7, 3])]),
            new("clothing [N,K]", [new([11, 59])]),
            new("K=7 ragged groups", [new([3, 11, 7])]),
            new("pets 128x128", [new([8, 128, 128, 3])], Bench: true),
            new("clothing 128x128", [new([8, 128, 128, 59])], Bench: true),
        ],
    };
}
