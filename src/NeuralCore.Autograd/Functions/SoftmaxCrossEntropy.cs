using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

public static partial class F
{
    /// <summary>
    /// Mean sparse softmax cross-entropy of <paramref name="logits"/> [..., K] against int32 <paramref name="labels"/> [...]
    /// (PyTorch's <c>cross_entropy(logits, labels, weight, ignore_index)</c>; Keras'
    /// <c>SparseCategoricalCrossentropy(from_logits=True)</c> without weights or ignore label). Differentiable in the
    /// logits only. See <see cref="Ops.SoftmaxCrossEntropy"/> for the exact reduction.
    /// </summary>
    /// <param name="classWeights">[K] per-class weights (weighted mean), or null.</param>
    /// <param name="ignoreLabel">Label value whose pixels contribute nothing and are not counted, or null.</param>
    /// <returns>The scalar loss.</returns>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, Tensor labels, Tensor? classWeights = null, int? ignoreLabel = null)
    {
        var result = Ops.SoftmaxCrossEntropy(logits, labels, classWeights, ignoreLabel);
        Tensor[] inputs = classWeights is null ? [logits, labels] : [logits, labels, classWeights];
        Tape.Record("softmax_cross_entropy", result.Loss, inputs, [logits, labels, result.LogSumExp, result.WeightSum, classWeights],
            (dLoss, needs, saved) =>
            {
                var dLogits = needs[0]
                    ? Ops.SoftmaxCrossEntropyBackward(saved[0]!, saved[1]!, saved[2]!, saved[3]!, dLoss, saved[4], ignoreLabel)
                    : null;
                return classWeights is null ? [dLogits, null] : [dLogits, null, null];
            });
        // The per-row log-sum-exp and the mean's denominator live on in the node if it was recorded.
        result.LogSumExp.Dispose();
        result.WeightSum.Dispose();
        return result.Loss;
    }
}
