using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// The fused sparse softmax cross-entropy on the GPU. Forward: one warp per row writes the row's logSumExp and its
/// weighted NLL and weight (double, as the reference accumulates), and flags the first label that is neither a
/// class nor the ignore label; one group then sums the rows in a fixed order into the loss and the weight sum.
/// Backward: one thread per logit, reading weightSum and dLoss on the device (no host round trip).
/// </summary>
public sealed partial class GpuKernels
{
    private const int LossGroupSize = 256;

    private static readonly KernelSlot<Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<int>, LossRows>> LossRowsLaunch =
        new(a => a.LoadStreamKernel<ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<int>, LossRows>(CrossEntropyRowsKernel));

    private static readonly KernelSlot<Action<KernelConfig, ArrayView<double>, ArrayView<float>, ArrayView<float>, int>> LossTotalLaunch =
        new(a => a.LoadStreamKernel<ArrayView<double>, ArrayView<float>, ArrayView<float>, int>(CrossEntropyTotalKernel));

    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, LossRows>> LossBackward =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, LossRows>(CrossEntropyBackwardKernel));

    private static readonly KernelSlot<Action<Index1D, ArrayView<double>, ArrayView<float>>> DoubleToFloat =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<float>>(DoubleToFloatKernel));

    public void SoftmaxCrossEntropy(Tensor logits, Tensor labels, Tensor? classWeights, int? ignoreLabel, Tensor loss, Tensor logSumExp, Tensor weightSum)
    {
        var rows = LossRows.Of(logits, classWeights, ignoreLabel);
        using var perRow = Tensor.Empty([2, Math.Max(rows.Rows, 1)], DType.Float64, Device.Device);
        using var firstBad = Tensor.Full([1], int.MaxValue, DType.Int32, Device.Device);
        var weights = classWeights is null ? ArrayView<float>.Empty : Device.View<float>(classWeights);
        if (rows.Rows > 0)
            LossRowsLaunch.On(Device.Accelerator)(WarpRows.Config(rows.Rows), Device.View<float>(logits), Device.View<int>(labels), weights,
                Device.View<float>(logSumExp), Device.View<double>(perRow), Device.View<int>(firstBad), rows);
        LossTotalLaunch.On(Device.Accelerator)(new KernelConfig(1, LossGroupSize), Device.View<double>(perRow), Device.View<float>(loss),
            Device.View<float>(weightSum), rows.Rows);
        // The trainer reads the loss right after this call, so waiting here for the label check costs no extra round trip.
        int bad = firstBad.Item<int>();
        if (bad != int.MaxValue)
        {
            using var label = labels.Reshape(-1).Slice(0, bad, 1);
            throw Ops.BadLabel("softmax_cross_entropy", labels, bad, label.Item<int>(), rows.Classes, ignoreLabel);
        }
    }

    public void SoftmaxCrossEntropyBackward(Tensor logits, Tensor labels, Tensor? classWeights, int? ignoreLabel, Tensor logSumExp,
        Tensor weightSum, Tensor dLoss, Tensor dLogits)
    {
        if (dLogits.ElementCount == 0) return;
        var rows = LossRows.Of(logits, classWeights, ignoreLabel);
        using var weightSumF = AsFloatScalar(weightSum);
        using var dLossF = AsFloatScalar(dLoss);
        var weights = classWeights is null ? ArrayView<float>.Empty : Device.View<float>(classWeights);
        LossBackward.On(Device.Accelerator)(dLogits.ElementCount, Device.View<float>(logits), Device.View<int>(labels), weights,
            Device.View<float>(logSumExp), Device.View<float>(weightSumF), Device.View<float>(dLossF), Device.View<float>(dLogits), rows);
    }

    /// <summary>A float32 scalar on this device holding a scalar's value (float64 gradients arrive from float64 graphs).</summary>
    private Tensor AsFloatScalar(Tensor scalar)
    {
        if (scalar.DType == DType.Float32) return scalar.Alias();
        var converted = Tensor.Empty([1], DType.Float32, Device.Device);
        DoubleToFloat.On(Device.Accelerator)(1, Device.View<double>(scalar), Device.View<float>(converted));
        return converted;
    }

    [GpuKernel]
    internal static void DoubleToFloatKernel(Index1D i, ArrayView<double> source, ArrayView<float> target) => target[i] = (float)source[i];

    /// <summary>Per row: logSumExp, and (w * (logSumExp - x[label]), w) in double, or zeros for ignored rows.</summary>
    [GpuKernel(Grouped = true)]
    internal static void CrossEntropyRowsKernel(ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> weights,
        ArrayView<float> logSumExp, ArrayView<double> perRow, ArrayView<int> firstBad, LossRows p)
    {
        int row = WarpRows.Row;
        if (row >= p.Rows) return;
        long start = (long)row * p.Classes;
        float max = WarpRows.RowMax(logits, start, p.Classes);
        float lse = max + XMath.Log(WarpRows.RowExpSum(logits, start, p.Classes, max));
        if (Warp.LaneIdx != 0) return;
        logSumExp[row] = lse;
        int label = labels[row];
        double nll = 0, weight = 0;
        if (p.HasIgnore == 0 || label != p.IgnoreLabel)
        {
            if (label < 0 || label >= p.Classes) Atomic.Min(ref firstBad[0], row);
            else
            {
                weight = p.HasWeights != 0 ? weights[label] : 1.0;
                nll = weight * (lse - logits[start + label]);
            }
        }
        perRow[row] = nll;
        perRow[p.Rows + row] = weight;
    }

    /// <summary>One group: each thread sums rows t, t + 256, ... in order, then a fixed tree over the threads.</summary>
    [GpuKernel(Grouped = true)]
    internal static void CrossEntropyTotalKernel(ArrayView<double> perRow, ArrayView<float> loss, ArrayView<float> weightSum, int rows)
    {
        var nll = SharedMemory.Allocate<double>(LossGroupSize);
        var weight = SharedMemory.Allocate<double>(LossGroupSize);
        int t = Group.IdxX;
        double n = 0, w = 0;
        for (int r = t; r < rows; r += LossGroupSize)
        {
            n += perRow[r];
            w += perRow[rows + r];
        }
        nll[t] = n;
        weight[t] = w;
        Group.Barrier();
        for (int half = LossGroupSize / 2; half > 0; half >>= 1)
        {
            if (t < half)
            {
                nll[t] += nll[t + half];
                weight[t] += weight[t + half];
            }
            Group.Barrier();
        }
        if (t == 0)
        {
            loss[0] = (float)(weight[0] > 0 ? nll[0] / weight[0] : 0);
            weightSum[0] = (float)weight[0];
        }
    }

    /// <summary>dLogits = (exp(x - logSumExp) - onehot) * (w[label] * dLoss / weightSum); 0 on ignored rows or when weightSum is 0.</summary>
    [GpuKernel]
    internal static void CrossEntropyBackwardKernel(Index1D j, ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> weights,
        ArrayView<float> logSumExp, ArrayView<float> weightSum, ArrayView<float> dLoss, ArrayView<float> dLogits, LossRows p)
    {
        int row = j / p.Classes, k = j - row * p.Classes;
        int label = labels[row];
        float ws = weightSum[0];
        bool counted = (p.HasIgnore == 0 || label != p.IgnoreLabel) && ws != 0;
        if (!counted)
        {
            dLogits[j] = 0;
            return;
        }
        float scale = (p.HasWeights != 0 ? weights[label] : 1f) * dLoss[0] / ws;
        float oneHot = k == label ? 1f : 0f;
        dLogits[j] = (XMath.Exp(logits[j] - logSumExp[row]) - oneHot) * scale;
    }
}

/// <summary>The loss's rows: K classes per row, the ignore label (when HasIgnore) and whether class weights are given.</summary>
internal struct LossRows
{
    public int Rows, Classes, HasIgnore, IgnoreLabel, HasWeights;

    public static LossRows Of(Tensor logits, Tensor? classWeights, int? ignoreLabel)
    {
        int classes = logits.Shape[-1];
        return new LossRows
        {
            Rows = logits.ElementCount / classes, Classes = classes,
            HasIgnore = ignoreLabel is null ? 0 : 1, IgnoreLabel = ignoreLabel ?? 0,
            HasWeights = classWeights is null ? 0 : 1,
        };
    }
}
