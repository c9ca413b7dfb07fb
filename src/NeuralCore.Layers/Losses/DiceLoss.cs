using NeuralCore.Autograd;
using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Losses;

/// <summary>
/// Soft Dice loss: 1 - mean over classes k of (2 sum p_k y_k + s) / (sum p_k + sum y_k + s), where p = softmax(logits),
/// y = one-hot(labels), the sums run over every pixel of the batch and s is <see cref="Smooth"/> (which keeps a class
/// absent from both prediction and truth at Dice 1 instead of 0/0). Built from differentiable ops, so its gradient
/// comes from the tape. Pixels labelled <see cref="IgnoreLabel"/> are masked out of both p and y.
/// </summary>
public sealed class DiceLoss : Loss
{
    public DiceLoss(double smooth = 1, int? ignoreLabel = null)
    {
        if (!double.IsFinite(smooth) || smooth < 0) throw new ArgumentOutOfRangeException(nameof(smooth), $"dice: smooth must be finite and >= 0, got {smooth}");
        Smooth = smooth;
        IgnoreLabel = ignoreLabel;
    }

    public override string Name => "dice";

    public double Smooth { get; }

    public int? IgnoreLabel { get; }

    public override Tensor Forward(Tensor logits, Tensor labels)
    {
        if (labels.DType != DType.Int32 || logits.Rank != labels.Rank + 1 || !logits.Shape.AsSpan()[..^1].SequenceEqual(labels.Shape.AsSpan()))
            throw new ArgumentException($"dice: labels {labels.Describe()} must be int32 shaped like logits {logits.Describe()} without the class axis");
        int classes = logits.Shape[-1];
        var (oneHot, valid) = OneHot(labels, classes, logits.DType, logits.Device);
        var probabilities = F.Softmax(logits);
        if (valid is not null) probabilities = F.Mul(probabilities, valid);

        int[] pixelAxes = Enumerable.Range(0, logits.Rank - 1).ToArray();
        var intersection = F.Sum(F.Mul(probabilities, oneHot), pixelAxes);              // [K]
        var predicted = F.Sum(probabilities, pixelAxes);                                 // [K]
        using var truth = Ops.Sum(oneHot, pixelAxes);                                    // [K], constant
        var smooth = Tensor.Scalar(Smooth, logits.DType, logits.Device);
        var numerator = F.Add(F.Scale(intersection, 2), smooth);
        var denominator = F.Add(predicted, Ops.Add(truth, smooth));
        var meanDice = F.Mean(F.Div(numerator, denominator));
        return F.Add(F.Scale(meanDice, -1), Tensor.Scalar(1, logits.DType, logits.Device));
    }

    /// <summary>One-hot labels [..., K] and, with an ignore label, the valid-pixel mask [..., 1] (both constants).</summary>
    private (Tensor OneHot, Tensor? Valid) OneHot(Tensor labels, int classes, DType dtype, Device device)
    {
        // Labels are read on the host (they are checked and one-hot encoded once per batch).
        var values = labels.ToArray<int>();
        var oneHot = new double[values.Length * classes];
        var valid = IgnoreLabel is null ? null : new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int label = values[i];
            if (label == IgnoreLabel) continue;
            if ((uint)label >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"dice: label {label} at pixel {i} of {labels.Describe()} is outside [0, {classes})"
                    + (IgnoreLabel is null ? "" : $" and is not the ignore label {IgnoreLabel}"));
            oneHot[i * classes + label] = 1;
            if (valid is not null) valid[i] = 1;
        }
        var pixelShape = labels.Shape.ToArray();
        return (Constant(oneHot, [.. pixelShape, classes], dtype, device), valid is null ? null : Constant(valid, [.. pixelShape, 1], dtype, device));
    }

    private static Tensor Constant(double[] values, int[] shape, DType dtype, Device device) => dtype == DType.Float64
        ? Tensor.FromArray(values, shape, device)
        : Tensor.FromArray(Array.ConvertAll(values, v => (float)v), shape, device);
}
