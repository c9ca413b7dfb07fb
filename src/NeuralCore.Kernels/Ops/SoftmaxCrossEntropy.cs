using System.Numerics;
using System.Runtime.InteropServices;
using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>
/// What the fused loss returns: the scalar loss and what its backward needs, so the backward is one pass.
/// <see cref="LogSumExp"/> [...] is log(sum_k exp(logits)) per row (softmax = exp(logits - LogSumExp));
/// <see cref="WeightSum"/> (scalar) is the mean's denominator, sum of w[y_i] over counted rows.
/// </summary>
public sealed record SoftmaxCrossEntropyResult(Tensor Loss, Tensor LogSumExp, Tensor WeightSum) : IDisposable
{
    public void Dispose()
    {
        Loss.Dispose();
        LogSumExp.Dispose();
        WeightSum.Dispose();
    }
}

/// <summary>
/// softmax_cross_entropy: sparse (integer-label) softmax cross-entropy over the last axis, with an optional ignore
/// label and optional class weights, mean-reduced as PyTorch's <c>cross_entropy(weight=w, ignore_index=i)</c>:
/// sum_i w[y_i] * nll_i / sum_i w[y_i] over rows whose label is not ignored. Its backward kernel is
/// softmax_cross_entropy_backward.
/// </summary>
public static partial class Ops
{
    /// <summary>The fused loss. Rows whose label equals <paramref name="ignoreLabel"/> contribute nothing and are not counted;
    /// when no row counts (or the counted weights sum to 0) the loss is 0 and so is the gradient (PyTorch gives NaN).</summary>
    /// <param name="logits">[N, H, W, K] or [N, K] (any [..., K]), float32 or float64.</param>
    /// <param name="labels">int32, the logits' shape without the class axis: [N, H, W] or [N]; each in [0, K) or the ignore label.</param>
    /// <param name="classWeights">[K], the logits' dtype, or null for weight 1.</param>
    /// <param name="ignoreLabel">A label value that marks rows to skip (any int, e.g. 255 or K), or null.</param>
    public static SoftmaxCrossEntropyResult SoftmaxCrossEntropy(Tensor logits, Tensor labels, Tensor? classWeights = null, int? ignoreLabel = null)
    {
        const string op = "softmax_cross_entropy";
        CheckCrossEntropyOperands(op, logits, labels, classWeights, ignoreLabel);
        var lse = Tensor.Empty(labels.Shape, logits.DType, logits.Device);
        var loss = Tensor.Empty(Shape.Scalar, logits.DType, logits.Device);
        var weightSum = Tensor.Empty(Shape.Scalar, logits.DType, logits.Device);
        using var xc = logits.Contiguous();
        using var yc = labels.Contiguous();
        using var wc = classWeights?.Contiguous();
        Backend.For(op, logits).SoftmaxCrossEntropy(xc, yc, wc, ignoreLabel, loss, lse, weightSum);
        return new SoftmaxCrossEntropyResult(loss, lse, weightSum);
    }

    /// <summary>dLogits = (softmax(logits) - onehot(labels)) * w[y] * dLoss / weightSum, 0 on ignored rows, from the forward's saved tensors.</summary>
    /// <param name="logSumExp">The forward's <see cref="SoftmaxCrossEntropyResult.LogSumExp"/>.</param>
    /// <param name="weightSum">The forward's <see cref="SoftmaxCrossEntropyResult.WeightSum"/> (scalar).</param>
    /// <param name="dLoss">The gradient of the scalar loss (scalar).</param>
    public static Tensor SoftmaxCrossEntropyBackward(Tensor logits, Tensor labels, Tensor logSumExp, Tensor weightSum, Tensor dLoss,
        Tensor? classWeights = null, int? ignoreLabel = null)
    {
        const string op = "softmax_cross_entropy_backward";
        CheckCrossEntropyOperands(op, logits, labels, classWeights, ignoreLabel);
        OpCheck.SameDType(op, logits, "logits", logSumExp, "logSumExp");
        OpCheck.Shape(op, "logSumExp", logSumExp, labels.Shape);
        OpCheck.Float(op, "weightSum", weightSum);
        OpCheck.Float(op, "dLoss", dLoss);
        OpCheck.That(weightSum.ElementCount == 1 && dLoss.ElementCount == 1, op,
            $"weightSum and dLoss must be scalars, got {weightSum.Describe()} and {dLoss.Describe()}");
        var dLogits = Tensor.Empty(logits.Shape, logits.DType, logits.Device);
        using var xc = logits.Contiguous();
        using var yc = labels.Contiguous();
        using var lc = logSumExp.Contiguous();
        using var wc = classWeights?.Contiguous();
        Backend.For(op, logits, logSumExp).SoftmaxCrossEntropyBackward(xc, yc, wc, ignoreLabel, lc, weightSum, dLoss, dLogits);
        return dLogits;
    }

    /// <summary>Checks logits [..., K], labels [...] int32 in range, weights [K].</summary>
    private static void CheckCrossEntropyOperands(string op, Tensor logits, Tensor labels, Tensor? classWeights, int? ignoreLabel)
    {
        OpCheck.Float(op, "logits", logits);
        OpCheck.That(logits.Rank >= 1 && logits.Shape[-1] > 0, op, $"logits must be [..., K] with K > 0 classes, got {logits.Describe()}");
        OpCheck.DType(op, "labels", labels, DType.Int32);
        var expected = Shape.Create(logits.Shape.AsSpan()[..^1]);
        OpCheck.That(labels.Shape == expected, op, $"labels {labels.Describe()} must have the logits' shape without the class axis, {expected} for logits {logits.Describe()}");
        int classes = logits.Shape[-1];
        if (classWeights is not null)
        {
            OpCheck.SameDType(op, logits, "logits", classWeights, "classWeights");
            OpCheck.Shape(op, "classWeights", classWeights, [classes]);
        }
        OpCheck.SameDevice(op, [logits, labels, .. classWeights is null ? Array.Empty<Tensor>() : [classWeights]]);
        CheckLabels(op, labels, classes, ignoreLabel);
    }

    /// <summary>Every label must be a class index or the ignore label: checked before computing, since a bad label would index out of the row.</summary>
    private static void CheckLabels(string op, Tensor labels, int classes, int? ignoreLabel)
    {
        if (labels.Device.Kind != DeviceKind.Cpu) return; // device labels stay on the device: the GPU kernel flags bad ones itself
        using var lc = labels.Contiguous();
        var span = lc.Span<int>();
        if (!AnyBadLabel(span, classes, ignoreLabel)) return;
        for (int i = 0; i < span.Length; i++)
            if ((uint)span[i] >= (uint)classes && span[i] != ignoreLabel) throw BadLabel(op, labels, i, span[i], classes, ignoreLabel);
    }

    /// <summary>The error for a label that is neither a class index nor the ignore label (every backend's wording).</summary>
    internal static OpException BadLabel(string op, Tensor labels, int index, int label, int classes, int? ignoreLabel) =>
        new(op, $"label {label} at flat index {index} of labels {labels.Describe()} is outside [0, {classes}) for K = {classes} classes"
            + (ignoreLabel is null ? " (no ignore label set)" : $" and is not the ignore label {ignoreLabel}"));

    /// <summary>A vector pre-scan, so valid labels (every call in training) cost one fast pass; the scalar loop only
    /// runs to name the first bad label.</summary>
    private static bool AnyBadLabel(ReadOnlySpan<int> labels, int classes, int? ignoreLabel)
    {
        var values = MemoryMarshal.Cast<int, Vector<uint>>(labels);
        var k = new Vector<uint>((uint)classes);
        var ignore = new Vector<uint>((uint)(ignoreLabel ?? 0));
        var any = Vector<uint>.Zero;
        foreach (var v in values)
        {
            var outside = Vector.GreaterThanOrEqual(v, k);
            any |= ignoreLabel is null ? outside : Vector.AndNot(outside, Vector.Equals(v, ignore));
        }
        if (any != Vector<uint>.Zero) return true;
        for (int i = values.Length * Vector<uint>.Count; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes && labels[i] != ignoreLabel) return true;
        return false;
    }
}

/// <summary>Attributes of softmax_cross_entropy (class weights are an optional third input, [K]).</summary>
public sealed record SoftmaxCrossEntropyAttrs(int? IgnoreLabel = null)
{
    public override string ToString() => IgnoreLabel is null ? "no ignore" : $"ignore={IgnoreLabel}";
}

public static partial class OpCatalog
{
    /// <summary>Inputs: logits, labels, [backward: saved logSumExp, weightSum and dLoss,] then class weights when weighted.</summary>
    private static OpCase CrossEntropyCase(string label, Shape rows, int classes, bool ignore, bool weighted, bool backward, bool bench = false)
    {
        var inputs = new List<InputSpec>
        {
            new(Shape.Create([.. rows, classes])),
            new(rows, ignore ? InputKind.LabelsWithIgnore : InputKind.Labels, classes),
        };
        if (backward) inputs.AddRange([new(rows), new(Shape.Scalar, InputKind.Positive), new(Shape.Scalar)]);
        if (weighted) inputs.Add(new([classes], InputKind.Positive));
        // CaseInputs draws the value K as the ignore label of LabelsWithIgnore inputs.
        return new OpCase(label, inputs, new SoftmaxCrossEntropyAttrs(ignore ? classes : null), bench);
    }

    private static OpCase[] CrossEntropyCases(bool backward) =>
    [
        CrossEntropyCase("pets K=3", [2, 5, 7], 3, ignore: false, weighted: false, backward),
        CrossEntropyCase("pets ignore", [2, 5, 7], 3, ignore: true, weighted: false, backward),
        CrossEntropyCase("pets weighted ignore", [2, 5, 7], 3, ignore: true, weighted: true, backward),
        CrossEntropyCase("clothing [N,K] weighted ignore", [13], 59, ignore: true, weighted: true, backward),
        CrossEntropyCase("K=8 weighted ignore", [37], 8, ignore: true, weighted: true, backward),
        CrossEntropyCase("pets 128x128", [8, 128, 128], 3, ignore: false, weighted: false, backward, bench: true),
        CrossEntropyCase("clothing 128x128 weighted ignore", [8, 128, 128], 59, ignore: true, weighted: true, backward, bench: true),
    ];

    public static readonly OpDef SoftmaxCrossEntropy = new()
    {
        Name = "softmax_cross_entropy", Signature = "logits[..., K], labels[...] int32, weights[K]? -> loss[], logSumExp[...], weightSum[]",
        DifferentiableInputs = [0], Tolerance = new Tolerance(1e-5, 1e-5), Cases = CrossEntropyCases(backward: false),
        Run = (x, a) =>
        {
            var r = Ops.SoftmaxCrossEntropy(x[0], x[1], x.Length > 2 ? x[2] : null, ((SoftmaxCrossEntropyAttrs)a!).IgnoreLabel);
            return [r.Loss, r.LogSumExp, r.WeightSum];
        },
    };

    public static readonly OpDef SoftmaxCrossEntropyBackward = new()
    {
        Name = "softmax_cross_entropy_backward",
        Signature = "logits[..., K], labels[...] int32, logSumExp[...], weightSum[], dLoss[], weights[K]? -> dLogits[..., K]",
        Tolerance = new Tolerance(1e-6, 1e-5),
        Cases = CrossEntropyCases(backward: true),
        Run = (x, a) => [Ops.SoftmaxCrossEntropyBackward(x[0], x[1], x[2], x[3], x[4], x.Length > 5 ? x[5] : null, ((SoftmaxCrossEntropyAttrs)a!).IgnoreLabel)],
    };
}
