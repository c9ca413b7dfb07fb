using System.Numerics;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Reference;

/// <summary>
/// The reference kernels for one element type: each method hands the tensors' spans to the generic-math loop of
/// its op, converting the double attributes to <typeparamref name="T"/> (for float, the same cast the loops always got).
/// <see cref="ReferenceKernels"/> picks the instance by dtype.
/// </summary>
internal sealed class ReferenceKernelsOf<T> : IKernels where T : unmanaged, IFloatingPointIeee754<T>
{
    public static readonly ReferenceKernelsOf<T> Instance = new();

    private static T Of(double value) => T.CreateTruncating(value);

    private static Span<T> OrEmpty(Tensor? t) => t is null ? [] : t.Span<T>();

    public void Binary(BinaryOp kind, Tensor a, Tensor b, Tensor y) =>
        ReferenceElementwise.Binary(kind, a.Span<T>(), a.Shape, b.Span<T>(), b.Shape, y.Span<T>(), y.Shape);

    public void Scale(Tensor x, double factor, Tensor y) => ReferenceElementwise.Scale(x.Span<T>(), Of(factor), y.Span<T>());

    public void Accumulate(Tensor dst, Tensor src) => ReferenceElementwise.Accumulate(dst.Span<T>(), src.Span<T>());

    public void Activate(Activation act, double alpha, Tensor x, Tensor y) =>
        ReferenceActivations.Forward(act, Of(alpha), x.Span<T>(), y.Span<T>());

    public void ActivationBackward(Activation act, double alpha, Tensor x, Tensor y, Tensor dy, Tensor dx) =>
        ReferenceActivations.Backward(act, Of(alpha), x.Span<T>(), y.Span<T>(), dy.Span<T>(), dx.Span<T>());

    public void Sum(Tensor x, Shape keptShape, double scale, Tensor y) =>
        ReferenceReductions.Sum(x.Span<T>(), x.Shape, y.Span<T>(), keptShape, scale);

    public void BroadcastTo(Tensor x, Tensor y) => ReferenceReductions.BroadcastTo(x.Span<T>(), x.Shape, y.Span<T>(), y.Shape);

    public void Conv2d(ConvPass pass, Conv2dGeometry g, Tensor a, Tensor b, Tensor result) =>
        ReferenceConv2d.Run(pass, g, a.Span<T>(), b.Span<T>(), result.Span<T>());

    public void BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, BatchNormAttrs attrs,
        Tensor y, Tensor saveMean, Tensor saveInvStd) =>
        ReferenceBatchNorm.Forward(x.Span<T>(), gamma.Span<T>(), beta.Span<T>(), runningMean.Span<T>(), runningVar.Span<T>(),
            y.Span<T>(), saveMean.Span<T>(), saveInvStd.Span<T>(), attrs);

    public void BatchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor saveMean, Tensor saveInvStd, bool training,
        Tensor dx, Tensor dGamma, Tensor dBeta) =>
        ReferenceBatchNorm.Backward(dy.Span<T>(), x.Span<T>(), gamma.Span<T>(), saveMean.Span<T>(), saveInvStd.Span<T>(),
            dx.Span<T>(), dGamma.Span<T>(), dBeta.Span<T>(), training);

    public void MaxPool2d(Tensor x, Pool2dAttrs attrs, Tensor y) =>
        ReferenceMaxPool2d.Forward(x.Span<T>(), x.Shape, y.Span<T>(), y.Shape, attrs);

    public void MaxPool2dBackward(Tensor x, Tensor dy, Pool2dAttrs attrs, Tensor dx) =>
        ReferenceMaxPool2d.Backward(x.Span<T>(), x.Shape, dy.Span<T>(), dy.Shape, dx.Span<T>(), attrs);

    public void AvgPool2d(Tensor x, Pool2dAttrs attrs, Tensor y) =>
        ReferenceAvgPool2d.Forward(x.Span<T>(), x.Shape, y.Span<T>(), y.Shape, attrs);

    public void AvgPool2dBackward(Tensor dy, Pool2dAttrs attrs, Tensor dx) =>
        ReferenceAvgPool2d.Backward(dy.Span<T>(), dy.Shape, dx.Span<T>(), dx.Shape, attrs);

    /// <summary>The mean kernel over H and W: the same sum and scale as <c>Ops.Mean(x, [1, 2])</c>.</summary>
    public void GlobalAvgPool(Tensor x, Tensor y)
    {
        Shape kept = [x.Shape[0], 1, 1, x.Shape[3]];
        int count = x.ElementCount / Math.Max(kept.ElementCount, 1);
        ReferenceReductions.Sum(x.Span<T>(), x.Shape, y.Span<T>(), kept, 1.0 / Math.Max(count, 1));
    }

    public void Upsample(Tensor x, UpsampleAttrs attrs, Tensor y) =>
        ReferenceUpsample.Forward(x.Span<T>(), x.Shape, y.Span<T>(), y.Shape, attrs);

    public void UpsampleBackward(Tensor dy, UpsampleAttrs attrs, Tensor dx) =>
        ReferenceUpsample.Backward(dy.Span<T>(), dy.Shape, dx.Span<T>(), dx.Shape, attrs);

    public void ZeroPad(Tensor x, ZeroPadAttrs attrs, Tensor y) =>
        ReferenceZeroPad.Forward(x.Span<T>(), x.Shape, y.Span<T>(), y.Shape, attrs);

    /// <summary>A strided copy of dy's interior view: no arithmetic, so it is every CPU backend's kernel.</summary>
    public void ZeroPadBackward(Tensor dy, ZeroPadAttrs attrs, Tensor dx)
    {
        using var interior = Ops.ZeroPadInterior(dy, attrs, dx.Shape);
        dx.CopyFrom(interior);
    }

    public void Concat(Tensor[] xs, int axis, Tensor y)
    {
        var (outer, widths) = Ops.ConcatBlocks(xs, axis, y.Shape);
        ReferenceConcat.Forward(xs.Select(p => p.ToArray<T>()).ToArray(), widths, outer, y.Span<T>());
    }

    /// <summary>One strided view copy per piece.</summary>
    public void Slice(Tensor x, int axis, ReadOnlySpan<int> starts, Tensor[] ys)
    {
        for (int i = 0; i < ys.Length; i++)
        {
            using var view = x.Slice(axis, starts[i], ys[i].Shape[axis]);
            ys[i].CopyFrom(view);
        }
    }

    public void Dropout(Tensor x, double rate, ulong seed, ulong offset, Tensor y) =>
        ReferenceDropout.Forward(x.Span<T>(), y.Span<T>(), rate, seed, offset);

    public void Matmul(Tensor a, Tensor b, bool transposeA, bool transposeB, Tensor y)
    {
        var (batch, m, k, n) = Ops.MatmulDims("matmul", a.Shape, b.Shape, transposeA, transposeB);
        ReferenceMatmul.Forward(a.Span<T>(), b.Span<T>(), y.Span<T>(), batch, m, k, n, transposeA, transposeB);
    }

    public void Softmax(Tensor x, bool log, Tensor y) => ReferenceSoftmax.Forward(x.Span<T>(), y.Span<T>(), x.Shape[-1], log);

    public void SoftmaxBackward(Tensor y, Tensor dy, bool log, Tensor dx) =>
        ReferenceSoftmax.Backward(y.Span<T>(), dy.Span<T>(), dx.Span<T>(), y.Shape[-1], log);

    public void SoftmaxCrossEntropy(Tensor logits, Tensor labels, Tensor? classWeights, int? ignoreLabel, Tensor loss, Tensor logSumExp, Tensor weightSum) =>
        (loss.Span<T>()[0], weightSum.Span<T>()[0]) = ReferenceSoftmaxCrossEntropy.Forward(
            logits.Span<T>(), labels.Span<int>(), OrEmpty(classWeights), ignoreLabel, logits.Shape[-1], logSumExp.Span<T>());

    public void SoftmaxCrossEntropyBackward(Tensor logits, Tensor labels, Tensor? classWeights, int? ignoreLabel, Tensor logSumExp,
        Tensor weightSum, Tensor dLoss, Tensor dLogits) =>
        ReferenceSoftmaxCrossEntropy.Backward(logits.Span<T>(), labels.Span<int>(), OrEmpty(classWeights), ignoreLabel, logits.Shape[-1],
            logSumExp.Span<T>(), Of(ReferenceKernels.ScalarValue(weightSum)), Of(ReferenceKernels.ScalarValue(dLoss)), dLogits.Span<T>());

    public void Argmax(Tensor x, Tensor indices) => ReferenceArgmax.Argmax(x.Span<T>(), indices.Span<int>(), x.Shape[-1]);

    public void SgdUpdate(Tensor param, Tensor grad, Tensor? velocity, SgdAttrs attrs) =>
        ReferenceSgdUpdate.Update(param.Span<T>(), grad.Span<T>(), OrEmpty(velocity),
            Of(attrs.LearningRate), Of(attrs.Momentum), attrs.Nesterov, Of(attrs.WeightDecay));

    public void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lrT, double beta1, double beta2, double epsilon, double decay) =>
        ReferenceAdamUpdate.Update(param.Span<T>(), grad.Span<T>(), m.Span<T>(), v.Span<T>(), Of(lrT), Of(beta1), Of(beta2), Of(epsilon), Of(decay));

    public void RmspropUpdate(Tensor param, Tensor grad, Tensor ms, Tensor? mom, Tensor? mg, RmspropAttrs attrs) =>
        ReferenceRmspropUpdate.Update(param.Span<T>(), grad.Span<T>(), ms.Span<T>(), OrEmpty(mom), OrEmpty(mg),
            Of(attrs.LearningRate), Of(attrs.Rho), Of(attrs.Momentum), Of(attrs.Epsilon));

    public void RoiAlign(Tensor x, Tensor rois, RoiAlignAttrs attrs, Tensor y) =>
        ReferenceRoiAlign.Forward(x.Span<T>(), x.Shape, rois.Span<T>(), y.Span<T>(), attrs);

    public void RoiAlignBackward(Tensor dy, Tensor rois, RoiAlignAttrs attrs, Tensor dx) =>
        ReferenceRoiAlign.Backward(dy.Span<T>(), rois.Span<T>(), dx.Span<T>(), dx.Shape, attrs);

    public void Nms(Tensor boxes, Tensor scores, double iouThreshold, Tensor order, Tensor keep) =>
        ReferenceNms.Run(boxes.Span<T>(), scores.Span<T>(), iouThreshold, order.Span<int>(), keep.Span<int>());

    public void BoxDecode(Tensor deltas, Tensor boxes, BoxCoderAttrs attrs, Tensor y) =>
        ReferenceBoxCoder.Decode(deltas.Span<T>(), boxes.Span<T>(), y.Span<T>(), attrs);

    public void BoxEncode(Tensor targets, Tensor proposals, BoxCoderAttrs attrs, Tensor y) =>
        ReferenceBoxCoder.Encode(targets.Span<T>(), proposals.Span<T>(), y.Span<T>(), attrs);

    public void Resize(Tensor x, Tensor y) => ReferenceResize.Forward(x.Span<T>(), x.Shape, y.Span<T>(), y.Shape);
}
