using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Reference;

/// <summary>
/// The ground truth: every kernel as a plain generic-math loop, float32 and float64, chosen per call by the dtype of
/// the output (or the tensor updated in place). Methods are virtual so that a faster backend
/// (<see cref="Cpu.CpuKernels"/>) overrides only what it speeds up and falls back here for everything else.
/// </summary>
public class ReferenceKernels : IKernels
{
    /// <summary>The reference kernels for <paramref name="t"/>'s element type (float64, else float32).</summary>
    private static IKernels Typed(Tensor t) =>
        t.DType == DType.Float64 ? ReferenceKernelsOf<double>.Instance : ReferenceKernelsOf<float>.Instance;

    /// <summary>The value of a one-element float tensor of either dtype, as a double.</summary>
    internal static double ScalarValue(Tensor t) => t.DType == DType.Float64 ? t.Item<double>() : t.Item<float>();

    public virtual void Binary(BinaryOp kind, Tensor a, Tensor b, Tensor y) => Typed(y).Binary(kind, a, b, y);

    public virtual void Scale(Tensor x, double factor, Tensor y) => Typed(y).Scale(x, factor, y);

    public virtual void Accumulate(Tensor dst, Tensor src) => Typed(dst).Accumulate(dst, src);

    public virtual void Activate(Activation act, double alpha, Tensor x, Tensor y) => Typed(y).Activate(act, alpha, x, y);

    public virtual void ActivationBackward(Activation act, double alpha, Tensor x, Tensor y, Tensor dy, Tensor dx) =>
        Typed(dx).ActivationBackward(act, alpha, x, y, dy, dx);

    public virtual void Sum(Tensor x, Shape keptShape, double scale, Tensor y) => Typed(y).Sum(x, keptShape, scale, y);

    public virtual void BroadcastTo(Tensor x, Tensor y) => Typed(y).BroadcastTo(x, y);

    public virtual void Conv2d(ConvPass pass, Conv2dGeometry g, Tensor a, Tensor b, Tensor result) =>
        Typed(result).Conv2d(pass, g, a, b, result);

    public virtual void BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, BatchNormAttrs attrs,
        Tensor y, Tensor saveMean, Tensor saveInvStd) =>
        Typed(y).BatchNorm(x, gamma, beta, runningMean, runningVar, attrs, y, saveMean, saveInvStd);

    public virtual void BatchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor saveMean, Tensor saveInvStd, bool training,
        Tensor dx, Tensor dGamma, Tensor dBeta) =>
        Typed(dx).BatchNormBackward(dy, x, gamma, saveMean, saveInvStd, training, dx, dGamma, dBeta);

    public virtual void MaxPool2d(Tensor x, Pool2dAttrs attrs, Tensor y) => Typed(y).MaxPool2d(x, attrs, y);

    public virtual void MaxPool2dBackward(Tensor x, Tensor dy, Pool2dAttrs attrs, Tensor dx) => Typed(dx).MaxPool2dBackward(x, dy, attrs, dx);

    public virtual void AvgPool2d(Tensor x, Pool2dAttrs attrs, Tensor y) => Typed(y).AvgPool2d(x, attrs, y);

    public virtual void AvgPool2dBackward(Tensor dy, Pool2dAttrs attrs, Tensor dx) => Typed(dx).AvgPool2dBackward(dy, attrs, dx);

    public virtual void GlobalAvgPool(Tensor x, Tensor y) => Typed(y).GlobalAvgPool(x, y);

    public virtual void Upsample(Tensor x, UpsampleAttrs attrs, Tensor y) => Typed(y).Upsample(x, attrs, y);

    public virtual void UpsampleBackward(Tensor dy, UpsampleAttrs attrs, Tensor dx) => Typed(dx).UpsampleBackward(dy, attrs, dx);

    public virtual void ZeroPad(Tensor x, ZeroPadAttrs attrs, Tensor y) => Typed(y).ZeroPad(x, attrs, y);

    public virtual void ZeroPadBackward(Tensor dy, ZeroPadAttrs attrs, Tensor dx) => Typed(dx).ZeroPadBackward(dy, attrs, dx);

    public virtual void Concat(Tensor[] xs, int axis, Tensor y) => Typed(y).Concat(xs, axis, y);

    public virtual void Slice(Tensor x, int axis, ReadOnlySpan<int> starts, Tensor[] ys) => Typed(x).Slice(x, axis, starts, ys);

    public virtual void Dropout(Tensor x, double rate, ulong seed, ulong offset, Tensor y) => Typed(y).Dropout(x, rate, seed, offset, y);

    public virtual void Matmul(Tensor a, Tensor b, bool transposeA, bool transposeB, Tensor y) =>
        Typed(y).Matmul(a, b, transposeA, transposeB, y);

    public virtual void Softmax(Tensor x, bool log, Tensor y) => Typed(y).Softmax(x, log, y);

    public virtual void SoftmaxBackward(Tensor y, Tensor dy, bool log, Tensor dx) => Typed(dx).SoftmaxBackward(y, dy, log, dx);

    public virtual void SoftmaxCrossEntropy(Tensor logits, Tensor labels, Tensor? classWeights, int? ignoreLabel, Tensor loss,
        Tensor logSumExp, Tensor weightSum) =>
        Typed(logits).SoftmaxCrossEntropy(logits, labels, classWeights, ignoreLabel, loss, logSumExp, weightSum);

    public virtual void SoftmaxCrossEntropyBackward(Tensor logits, Tensor labels, Tensor? classWeights, int? ignoreLabel, Tensor logSumExp,
        Tensor weightSum, Tensor dLoss, Tensor dLogits) =>
        Typed(logits).SoftmaxCrossEntropyBackward(logits, labels, classWeights, ignoreLabel, logSumExp, weightSum, dLoss, dLogits);

    public virtual void Argmax(Tensor x, Tensor indices) => Typed(x).Argmax(x, indices);

    public virtual void SgdUpdate(Tensor param, Tensor grad, Tensor? velocity, SgdAttrs attrs) => Typed(param).SgdUpdate(param, grad, velocity, attrs);

    public virtual void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lrT, double beta1, double beta2, double epsilon, double decay) =>
        Typed(param).AdamUpdate(param, grad, m, v, lrT, beta1, beta2, epsilon, decay);

    public virtual void RmspropUpdate(Tensor param, Tensor grad, Tensor ms, Tensor? mom, Tensor? mg, RmspropAttrs attrs) =>
        Typed(param).RmspropUpdate(param, grad, ms, mom, mg, attrs);

    public virtual void RoiAlign(Tensor x, Tensor rois, RoiAlignAttrs attrs, Tensor y) => Typed(y).RoiAlign(x, rois, attrs, y);

    public virtual void RoiAlignBackward(Tensor dy, Tensor rois, RoiAlignAttrs attrs, Tensor dx) => Typed(dx).RoiAlignBackward(dy, rois, attrs, dx);

    public virtual void Nms(Tensor boxes, Tensor scores, double iouThreshold, Tensor order, Tensor keep) =>
        Typed(boxes).Nms(boxes, scores, iouThreshold, order, keep);

    public virtual void BoxDecode(Tensor deltas, Tensor boxes, BoxCoderAttrs attrs, Tensor y) => Typed(y).BoxDecode(deltas, boxes, attrs, y);

    public virtual void BoxEncode(Tensor targets, Tensor proposals, BoxCoderAttrs attrs, Tensor y) => Typed(y).BoxEncode(targets, proposals, attrs, y);

    public virtual void Resize(Tensor x, Tensor y) => Typed(y).Resize(x, y);
}
