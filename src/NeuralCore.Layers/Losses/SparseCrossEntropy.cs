using NeuralCore.Autograd;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Losses;

/// <summary>
/// Mean softmax cross-entropy against integer labels (Keras' SparseCategoricalCrossentropy(from_logits=True),
/// PyTorch's cross_entropy), through the fused <see cref="F.SoftmaxCrossEntropy"/>. With class weights the mean is
/// weighted: sum w[y] * nll / sum w[y]; pixels labelled <see cref="IgnoreLabel"/> count for nothing.
/// </summary>
public sealed class SparseCrossEntropy : Loss
{
    private readonly double[]? _classWeights;

    /// <param name="classWeights">One weight per class (length K), or null for 1.</param>
    /// <param name="ignoreLabel">A label value whose pixels are skipped (e.g. the trimap border), or null.</param>
    public SparseCrossEntropy(IReadOnlyList<double>? classWeights = null, int? ignoreLabel = null)
    {
        if (classWeights is not null && classWeights.Any(w => !double.IsFinite(w) || w < 0))
            throw new ArgumentException($"crossentropy: class weights must be finite and >= 0, got [{string.Join(", ", classWeights)}]");
        _classWeights = classWeights?.ToArray();
        IgnoreLabel = ignoreLabel;
    }

    public override string Name => "crossentropy";

    public IReadOnlyList<double>? ClassWeights => _classWeights;

    public int? IgnoreLabel { get; }

    public override Tensor Forward(Tensor logits, Tensor labels)
    {
        if (_classWeights is not null && logits.Rank > 0 && logits.Shape[-1] != _classWeights.Length)
            throw new ArgumentException($"crossentropy: {_classWeights.Length} class weights for logits {logits.Describe()} with {logits.Shape[-1]} classes");
        var weights = _classWeights is null ? null : ConstantOf(_classWeights, logits.DType, logits.Device);
        return F.SoftmaxCrossEntropy(logits, labels, weights, IgnoreLabel);
    }

    private static Tensor ConstantOf(double[] values, DType dtype, Device device) => dtype == DType.Float64
        ? Tensor.FromArray(values, [values.Length], device)
        : Tensor.FromArray(Array.ConvertAll(values, v => (float)v), [values.Length], device);
}
