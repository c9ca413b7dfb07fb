using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// The Cpu backend: the fast SIMD, multithreaded float32 kernels of <c>Cpu/</c>. Each override runs its fast kernel
/// for float32 and returns to the reference (base) for float64 and for the cases a fast kernel declines (broadcasts
/// and reductions that are not contiguous blocks, grouped convolutions). zero_pad_backward is left to the
/// reference: it is a strided copy either way.
/// </summary>
public sealed unsafe class CpuKernels : ReferenceKernels
{
    private static bool IsFloat32(Tensor t) => t.DType == DType.Float32;

    public override void Binary(BinaryOp kind, Tensor a, Tensor b, Tensor y)
    {
        if (IsFloat32(y)) CpuElementwise.Binary(kind, a, b, y);
        else base.Binary(kind, a, b, y);
    }

    public override void Scale(Tensor x, double factor, Tensor y)
    {
        if (IsFloat32(y)) CpuElementwise.Scale(x.Span<float>(), (float)factor, y.Span<float>());
        else base.Scale(x, factor, y);
    }

    public override void Accumulate(Tensor dst, Tensor src)
    {
        if (IsFloat32(dst)) CpuElementwise.Accumulate(dst.Span<float>(), src.Span<float>());
        else base.Accumulate(dst, src);
    }

    public override void Activate(Activation act, double alpha, Tensor x, Tensor y)
    {
        if (IsFloat32(y)) CpuActivations.Forward(act, (float)alpha, x.Span<float>(), y.Span<float>());
        else base.Activate(act, alpha, x, y);
    }

    public override void ActivationBackward(Activation act, double alpha, Tensor x, Tensor y, Tensor dy, Tensor dx)
    {
        if (IsFloat32(dx)) CpuActivations.Backward(act, (float)alpha, x.Span<float>(), y.Span<float>(), dy.Span<float>(), dx.Span<float>());
        else base.ActivationBackward(act, alpha, x, y, dy, dx);
    }

    /// <summary>Fast when the reduced axes form one contiguous block (x viewed as [A, R, B], summed over R).</summary>
    public override void Sum(Tensor x, Shape keptShape, double scale, Tensor y)
    {
        if (IsFloat32(y) && CpuReductions.Blocks(x.Shape, keptShape) is var (a, r, b))
            CpuReductions.Sum((float*)x.DataPointer, (float*)y.DataPointer, a, r, b, scale);
        else base.Sum(x, keptShape, scale, y);
    }

    /// <summary>Fast when x fills the [A, 1, B] block around one contiguous run of broadcast axes.</summary>
    public override void BroadcastTo(Tensor x, Tensor y)
    {
        if (IsFloat32(y) && CpuReductions.Blocks(y.Shape, RightAligned(x.Shape, y.Rank)) is var (a, r, b) && x.ElementCount == a * b)
            CpuReductions.Repeat((float*)x.DataPointer, (float*)y.DataPointer, a, r, b);
        else base.BroadcastTo(x, y);
    }

    /// <summary><paramref name="x"/> right-aligned to <paramref name="rank"/> axes (leading 1s), as broadcasting reads it.</summary>
    private static Shape RightAligned(Shape x, int rank)
    {
        var dims = new int[rank];
        for (int i = 0; i < rank; i++) dims[i] = i < rank - x.Rank ? 1 : x[i - (rank - x.Rank)];
        return new Shape(dims);
    }

    /// <summary>Every pass of every ungrouped or depthwise convolution; <see cref="CpuConv2d.TryRun"/> declines the other grouped ones.</summary>
    public override void Conv2d(ConvPass pass, Conv2dGeometry g, Tensor a, Tensor b, Tensor result)
    {
        if (!IsFloat32(result) || !CpuConv2d.TryRun(pass, g, a.Span<float>(), b.Span<float>(), result.Span<float>()))
            base.Conv2d(pass, g, a, b, result);
    }

    public override void BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, BatchNormAttrs attrs,
        Tensor y, Tensor saveMean, Tensor saveInvStd)
    {
        if (IsFloat32(y))
            CpuBatchNorm.Forward(x.Span<float>(), gamma.Span<float>(), beta.Span<float>(), runningMean.Span<float>(), runningVar.Span<float>(),
                y.Span<float>(), saveMean.Span<float>(), saveInvStd.Span<float>(), attrs);
        else base.BatchNorm(x, gamma, beta, runningMean, runningVar, attrs, y, saveMean, saveInvStd);
    }

    public override void BatchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor saveMean, Tensor saveInvStd, bool training,
        Tensor dx, Tensor dGamma, Tensor dBeta)
    {
        if (IsFloat32(dx))
            CpuBatchNorm.Backward(dy.Span<float>(), x.Span<float>(), gamma.Span<float>(), saveMean.Span<float>(), saveInvStd.Span<float>(),
                dx.Span<float>(), dGamma.Span<float>(), dBeta.Span<float>(), training);
        else base.BatchNormBackward(dy, x, gamma, saveMean, saveInvStd, training, dx, dGamma, dBeta);
    }

    public override void MaxPool2d(Tensor x, Pool2dAttrs attrs, Tensor y)
    {
        if (IsFloat32(y)) CpuMaxPool2d.Forward(x.Span<float>(), x.Shape, y.Span<float>(), y.Shape, attrs);
        else base.MaxPool2d(x, attrs, y);
    }

    public override void MaxPool2dBackward(Tensor x, Tensor dy, Pool2dAttrs attrs, Tensor dx)
    {
        if (IsFloat32(dx)) CpuMaxPool2d.Backward(x.Span<float>(), x.Shape, dy.Span<float>(), dy.Shape, dx.Span<float>(), attrs);
        else base.MaxPool2dBackward(x, dy, attrs, dx);
    }

    public override void AvgPool2d(Tensor x, Pool2dAttrs attrs, Tensor y)
    {
        if (IsFloat32(y)) CpuAvgPool2d.Forward(x.Span<float>(), x.Shape, y.Span<float>(), y.Shape, attrs);
        else base.AvgPool2d(x, attrs, y);
    }

    public override void AvgPool2dBackward(Tensor dy, Pool2dAttrs attrs, Tensor dx)
    {
        if (IsFloat32(dx)) CpuAvgPool2d.Backward(dy.Span<float>(), dy.Shape, dx.Span<float>(), dx.Shape, attrs);
        else base.AvgPool2dBackward(dy, attrs, dx);
    }

    public override void GlobalAvgPool(Tensor x, Tensor y)
    {
        if (IsFloat32(y)) CpuGlobalAvgPool.Forward(x.Span<float>(), y.Span<float>(), x.Shape[0], x.Shape[1] * x.Shape[2], x.Shape[3]);
        else base.GlobalAvgPool(x, y);
    }

    public override void Upsample(Tensor x, UpsampleAttrs attrs, Tensor y)
    {
        if (IsFloat32(y)) CpuUpsample.Forward(x.Span<float>(), x.Shape, y.Span<float>(), y.Shape, attrs);
        else base.Upsample(x, attrs, y);
    }

    public override void UpsampleBackward(Tensor dy, UpsampleAttrs attrs, Tensor dx)
    {
        if (IsFloat32(dx)) CpuUpsample.Backward(dy.Span<float>(), dy.Shape, dx.Span<float>(), dx.Shape, attrs);
        else base.UpsampleBackward(dy, attrs, dx);
    }

    /// <summary>Zero the whole output, then one strided copy of x into the interior view.</summary>
    public override void ZeroPad(Tensor x, ZeroPadAttrs attrs, Tensor y)
    {
        if (!IsFloat32(y))
        {
            base.ZeroPad(x, attrs, y);
            return;
        }
        y.Fill(0);
        using var interior = Ops.ZeroPadInterior(y, attrs, x.Shape);
        interior.CopyFrom(x);
    }

    public override void Concat(Tensor[] xs, int axis, Tensor y)
    {
        if (!IsFloat32(y))
        {
            base.Concat(xs, axis, y);
            return;
        }
        var (outer, widths) = Ops.ConcatBlocks(xs, axis, y.Shape);
        CpuConcat.Forward(xs, widths, outer, y);
    }

    /// <summary>All pieces in one pass over x.</summary>
    public override void Slice(Tensor x, int axis, ReadOnlySpan<int> starts, Tensor[] ys)
    {
        if (!IsFloat32(x))
        {
            base.Slice(x, axis, starts, ys);
            return;
        }
        Span<int> lengths = stackalloc int[ys.Length];
        for (int i = 0; i < ys.Length; i++) lengths[i] = ys[i].Shape[axis];
        CpuConcat.Slice(x, axis, starts, lengths, ys);
    }

    public override void Dropout(Tensor x, double rate, ulong seed, ulong offset, Tensor y)
    {
        if (IsFloat32(y)) CpuDropout.Forward(x.Span<float>(), y.Span<float>(), rate, seed, offset);
        else base.Dropout(x, rate, seed, offset, y);
    }

    public override void Matmul(Tensor a, Tensor b, bool transposeA, bool transposeB, Tensor y)
    {
        if (!IsFloat32(y))
        {
            base.Matmul(a, b, transposeA, transposeB, y);
            return;
        }
        var (batch, m, k, n) = Ops.MatmulDims("matmul", a.Shape, b.Shape, transposeA, transposeB);
        CpuMatmul.Forward(a, b, y, batch, m, k, n, transposeA, transposeB);
    }

    public override void Softmax(Tensor x, bool log, Tensor y)
    {
        if (IsFloat32(y)) CpuSoftmax.Forward(x, y, x.Shape[-1], log);
        else base.Softmax(x, log, y);
    }

    public override void SoftmaxBackward(Tensor y, Tensor dy, bool log, Tensor dx)
    {
        if (IsFloat32(dx)) CpuSoftmax.Backward(y, dy, dx, y.Shape[-1], log);
        else base.SoftmaxBackward(y, dy, log, dx);
    }

    /// <summary>The fast kernel returns the weighted loss sum and the weight sum in double; the mean is taken here.</summary>
    public override void SoftmaxCrossEntropy(Tensor logits, Tensor labels, Tensor? classWeights, int? ignoreLabel, Tensor loss,
        Tensor logSumExp, Tensor weightSum)
    {
        if (!IsFloat32(logits))
        {
            base.SoftmaxCrossEntropy(logits, labels, classWeights, ignoreLabel, loss, logSumExp, weightSum);
            return;
        }
        var (lossSum, weights) = CpuSoftmaxCrossEntropy.Forward(logits, labels, classWeights, ignoreLabel, logSumExp);
        loss.Fill(weights > 0 ? lossSum / weights : 0);
        weightSum.Fill(weights);
    }

    public override void SoftmaxCrossEntropyBackward(Tensor logits, Tensor labels, Tensor? classWeights, int? ignoreLabel, Tensor logSumExp,
        Tensor weightSum, Tensor dLoss, Tensor dLogits)
    {
        if (!IsFloat32(logits))
        {
            base.SoftmaxCrossEntropyBackward(logits, labels, classWeights, ignoreLabel, logSumExp, weightSum, dLoss, dLogits);
            return;
        }
        double total = ScalarValue(weightSum), dl = ScalarValue(dLoss);
        CpuSoftmaxCrossEntropy.Backward(logits, labels, classWeights, ignoreLabel, logSumExp, total != 0 ? (float)(dl / total) : 0f, dLogits);
    }

    public override void Argmax(Tensor x, Tensor indices)
    {
        if (IsFloat32(x)) CpuArgmax.Argmax(x, indices, x.Shape[-1]);
        else base.Argmax(x, indices);
    }

    public override void RoiAlign(Tensor x, Tensor rois, RoiAlignAttrs attrs, Tensor y)
    {
        if (IsFloat32(y)) CpuRoiAlign.Forward(x.Span<float>(), x.Shape, rois.Span<float>(), y.Span<float>(), attrs);
        else base.RoiAlign(x, rois, attrs, y);
    }

    public override void RoiAlignBackward(Tensor dy, Tensor rois, RoiAlignAttrs attrs, Tensor dx)
    {
        if (IsFloat32(dx)) CpuRoiAlign.Backward(dy.Span<float>(), rois.Span<float>(), dx.Span<float>(), dx.Shape, attrs);
        else base.RoiAlignBackward(dy, rois, attrs, dx);
    }

    public override void Nms(Tensor boxes, Tensor scores, double iouThreshold, Tensor order, Tensor keep)
    {
        if (IsFloat32(boxes)) CpuNms.Run(boxes.Span<float>(), scores.Span<float>(), iouThreshold, order.Span<int>(), keep.Span<int>());
        else base.Nms(boxes, scores, iouThreshold, order, keep);
    }

    public override void Resize(Tensor x, Tensor y)
    {
        if (IsFloat32(y)) CpuResize.Forward(x.Span<float>(), x.Shape, y.Span<float>(), y.Shape);
        else base.Resize(x, y);
    }

    public override void SgdUpdate(Tensor param, Tensor grad, Tensor? velocity, SgdAttrs attrs)
    {
        if (IsFloat32(param))
            CpuSgdUpdate.Update(param, grad, velocity, (float)attrs.LearningRate, (float)attrs.Momentum, attrs.Nesterov, (float)attrs.WeightDecay);
        else base.SgdUpdate(param, grad, velocity, attrs);
    }

    public override void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lrT, double beta1, double beta2, double epsilon, double decay)
    {
        if (IsFloat32(param)) CpuAdamUpdate.Update(param, grad, m, v, (float)lrT, (float)beta1, (float)beta2, (float)epsilon, (float)decay);
        else base.AdamUpdate(param, grad, m, v, lrT, beta1, beta2, epsilon, decay);
    }

    public override void RmspropUpdate(Tensor param, Tensor grad, Tensor ms, Tensor? mom, Tensor? mg, RmspropAttrs attrs)
    {
        if (IsFloat32(param))
            CpuRmspropUpdate.Update(param, grad, ms, mom, mg, (float)attrs.LearningRate, (float)attrs.Rho, (float)attrs.Momentum, (float)attrs.Epsilon);
        else base.RmspropUpdate(param, grad, ms, mom, mg, attrs);
    }
}
