using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Catalog;

/// <summary>How a test input is drawn.</summary>
public enum InputKind
{
    /// <summary>Standard normal floats.</summary>
    Normal,

    /// <summary>Uniform floats in [0.5, 2] (variances, divisors, learning-rate state).</summary>
    Positive,

    /// <summary>int32 class labels in [0, Classes).</summary>
    Labels,

    /// <summary>int32 labels in [0, Classes], where the value Classes stands for the ignore label (about 1 in Classes+1).</summary>
    LabelsWithIgnore,

    /// <summary>
    /// Boxes [K, 4] as (x1, y1, x2, y2) with x1 &lt; x2 and y1 &lt; y2, corners uniform in [-Extent/4, Extent] and sides in
    /// [Extent/20, Extent/2], so some reach outside the image [0, Extent)². With Classes &gt; 0 each box also gets a
    /// category in [0, Classes) and is shifted by it times 2·Extent on both axes, as batched_nms keeps categories apart.
    /// </summary>
    Boxes,

    /// <summary>RoIs [K, 5]: a batch index in [0, Classes) as a float, then a box drawn as <see cref="Boxes"/>.</summary>
    Rois,
}

/// <summary>One input of a test case: its shape and how its values are drawn.</summary>
public sealed record InputSpec(Shape Shape, InputKind Kind = InputKind.Normal, int Classes = 0, double Extent = 0)
{
    public bool IsInteger => Kind is InputKind.Labels or InputKind.LabelsWithIgnore;

    public override string ToString() => IsInteger ? $"int32{Shape}" : Shape.ToString();
}

/// <summary>A shape an op is checked (and, when <see cref="Bench"/>, benchmarked) on.</summary>
public sealed record OpCase(string Label, IReadOnlyList<InputSpec> Inputs, object? Attrs = null, bool Bench = false)
{
    public override string ToString() => $"{Label} {string.Join(" ", Inputs)}";
}

/// <summary>Allowed difference between a fast kernel and the reference:
/// |fast - ref| &lt;= Abs + Rel * |ref| + OfRms * rms(ref), rms over the whole result.</summary>
public readonly record struct Tolerance(double Abs, double Rel, double OfRms = 0)
{
    public static readonly Tolerance Exact = new(0, 0);

    /// <summary>Elementwise float32 work: a few ulps.</summary>
    public static readonly Tolerance Elementwise = new(1e-6, 1e-6);

    /// <summary>Reductions and contractions, whose summation order differs from the reference.</summary>
    public static readonly Tolerance Accumulating = new(1e-4, 1e-4);

    /// <summary>
    /// Convolutions that may run Winograd F(4x4, 3x3) (3x3 stride-1 forward and input gradient): its transforms
    /// have entries up to 8 and 1/24, so an output's rounding error scales with the magnitude of the whole tile's
    /// terms rather than with its own value. Measured max error: 3.1e-5 to 5.9e-5 of the output's rms on the anchor
    /// shapes (OPS.md), about 1.5e-5 of it on the catalog's small Winograd cases; 2e-4 of the rms leaves a margin
    /// of 3x over the worst measurement while an indexing or transform mistake still gives errors near the rms.
    /// </summary>
    public static readonly Tolerance Winograd = new(1e-4, 1e-4, OfRms: 2e-4);
}

/// <summary>
/// One entry of the op catalog: the single place that names an op, says how to call its kernel generically, and
/// lists the shapes it is checked and benchmarked on. Conformance tests, gradient checks and benchmarks are all
/// generated from these entries, so a new op gets its checks by being listed.
/// </summary>
public sealed class OpDef
{
    /// <summary>The op's name everywhere: catalog, kernels, autograd rule, .cu file, benchmark row.</summary>
    public required string Name { get; init; }

    /// <summary>Layouts in shape-letter form, e.g. "x[N,H,W,C], w[KH,KW,C/g,O] -> y[N,OH,OW,O]".</summary>
    public required string Signature { get; init; }

    /// <summary>Runs the kernel (no autograd) on inputs built from a case: inputs, attrs -> outputs.</summary>
    public required Func<Tensor[], object?, Tensor[]> Run { get; init; }

    public required IReadOnlyList<OpCase> Cases { get; init; }

    /// <summary>Inputs that receive gradients; empty for ops without a gradient (argmax, updates, backward kernels).</summary>
    public IReadOnlyList<int> DifferentiableInputs { get; init; } = [];

    /// <summary>Inputs the op updates in place (optimizer updates); conformance compares them after the call.</summary>
    public IReadOnlyList<int> MutatedInputs { get; init; } = [];

    /// <summary>Fast float32 kernel vs the reference.</summary>
    public Tolerance Tolerance { get; init; } = Tolerance.Elementwise;

    /// <summary>Floating-point operations of one call (2 per multiply-add), for GFLOP/s in benchmarks.</summary>
    public Func<OpCase, double>? Flops { get; init; }

    /// <summary>Whether outputs depend on random numbers (dropout): checks seed them identically.</summary>
    public bool Random { get; init; }

    public bool IsDifferentiable => DifferentiableInputs.Count > 0;

    public override string ToString() => Name;
}
