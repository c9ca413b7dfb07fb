using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>
/// Inverted dropout: element i is kept when the uniform number of <c>Philox.Word(Seed, Offset, i)</c> is &gt;= Rate,
/// and kept elements are scaled by 1 / (1 - Rate). The mask is a pure function of (seed, offset, i), so every backend
/// draws the same mask and backward re-derives it instead of storing it. A layer reserves the counter range with
/// <c>RandomGenerator.Reserve(x.ElementCount)</c> and passes the returned offset.
/// </summary>
public sealed record DropoutAttrs(double Rate, ulong Seed, ulong Offset, bool Training = true)
{
    public override string ToString() => $"p={Rate} seed={Seed} offset={Offset}{(Training ? "" : " eval")}";
}

public static partial class Ops
{
    /// <summary>Inverted dropout (identity copy when not training or Rate is 0; zeros when Rate is 1).</summary>
    public static Tensor Dropout(Tensor x, DropoutAttrs attrs)
    {
        const string op = "dropout";
        OpCheck.Float(op, "x", x);
        OpCheck.That(attrs.Rate is >= 0 and <= 1, op, $"rate must be in [0, 1], got {attrs.Rate} for x {x.Describe()}");
        var kernels = Backend.For(op, x);
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        using var xc = x.Contiguous();
        kernels.Dropout(xc, attrs.Training ? attrs.Rate : 0, attrs.Seed, attrs.Offset, y);
        return y;
    }
}

public static partial class OpCatalog
{
    public static readonly OpDef Dropout = new()
    {
        Name = "dropout", Signature = "x -> y = x * mask(seed, offset, i) / (1 - p)",
        DifferentiableInputs = [0], Tolerance = Tolerance.Elementwise, Random = true,
        Run = (x, a) => [Ops.Dropout(x[0], (DropoutAttrs)a!)],
        Cases =
        [
            new("p=0.5", [new([2, 5, 7, 3])], new DropoutAttrs(0.5, 42, 0)),
            new("p=0.3 offset", [new([3, 7, 5])], new DropoutAttrs(0.3, 7, 1000)),
            new("p=0.5 counter carry", [new([2, 70])], new DropoutAttrs(0.5, 11, 0xFFFF_FFF8)),
            new("eval", [new([2, 3, 4])], new DropoutAttrs(0.5, 42, 0, Training: false)),
            new("p=1", [new([2, 3])], new DropoutAttrs(1, 3, 0)),
            new("p=0.5 large", [new([8, 64, 64, 64])], new DropoutAttrs(0.5, 42, 0), Bench: true),
        ],
    };
}
