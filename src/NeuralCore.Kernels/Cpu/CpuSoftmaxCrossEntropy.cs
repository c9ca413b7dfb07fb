using System.Buffers;
using System.Runtime.Intrinsics;
using NeuralCore.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Fast float32 fused softmax cross-entropy. Few classes (the 3-class pets) go 16 (AVX-512) or 8 (AVX2) rows at a
/// time across rows (<see cref="RowGroups{S, V}"/>); many classes go row by row in L1-sized blocks with one vectorised exp (and log) per
/// block, like <see cref="CpuSoftmax"/>. Per-chunk loss and weight sums are combined in chunk order (reproducible for
/// a thread count). Labels have been validated by the caller, so they index the class weights safely.
/// </summary>
internal static unsafe class CpuSoftmaxCrossEntropy
{
    /// <returns>The summed weighted loss and the weight sum over counted rows.</returns>
    public static (double LossSum, double WeightSum) Forward(Tensor logits, Tensor labels, Tensor? weights, int? ignoreLabel, Tensor logSumExp)
    {
        int classes = logits.Shape[-1], threads = CpuParallel.ThreadCount;
        double* partial = stackalloc double[2 * threads];
        new Span<double>(partial, 2 * threads).Clear();
        var work = new ForwardWork
        {
            X = (float*)logits.DataPointer, Labels = (int*)labels.DataPointer, Weights = weights is null ? null : (float*)weights.DataPointer,
            Ignore = ignoreLabel ?? -1, // validated labels are >= 0, so -1 never matches when nothing is ignored
            Classes = classes, Lse = (float*)logSumExp.DataPointer, Partial = partial,
        };
        RowMath.RunRows(ref work, labels.ElementCount, classes);
        double loss = 0, weight = 0;
        for (int t = 0; t < threads; t++)
        {
            loss += partial[2 * t];
            weight += partial[2 * t + 1];
        }
        return (loss, weight);
    }

    private struct ForwardWork : IWorkItem
    {
        public float* X, Weights, Lse;
        public int* Labels;
        public int Ignore, Classes;
        public double* Partial;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            long offset = (long)start * Classes;
            var (loss, weight) = RowGroups.Supported(Classes)
                ? ForwardGroups(X + offset, Labels + start, Weights, Ignore, Classes, Lse + start, end - start)
                : ForwardRows(X + offset, Labels + start, Weights, Ignore, Classes, Lse + start, end - start);
            Partial[2 * threadIndex] = loss;
            Partial[2 * threadIndex + 1] = weight;
        }
    }

    private static (double Loss, double Weight) ForwardGroups(float* x, int* labels, float* weights, int ignore, int classes, float* lse, int rows) =>
        Vector512.IsHardwareAccelerated
            ? ForwardGroups<Simd512, Vector512<float>>(x, labels, weights, ignore, classes, lse, rows)
            : ForwardGroups<Simd256, Vector256<float>>(x, labels, weights, ignore, classes, lse, rows);

    private static (double Loss, double Weight) ForwardGroups<S, V>(float* x, int* labels, float* weights, int ignore, int classes, float* lse, int rows)
        where S : struct, ISimd<V> where V : unmanaged
    {
        var groups = new RowGroups<S, V>(classes);
        // Per-lane double accumulators of the loss and weight sums (half a vector of doubles each).
        double* loss = stackalloc double[RowGroups.MaxRows];
        double* weight = loss + RowGroups.MaxRows / 2;
        new Span<double>(loss, RowGroups.MaxRows).Clear();
        int groupRows = S.Count, full = rows - rows % groupRows;
        var allRows = RowGroups<S, V>.ValidRows(groupRows);
        for (int r = 0; r < full; r += groupRows)
            ForwardGroup(in groups, x + (long)r * classes, labels + r, weights, ignore, lse + r, allRows, loss, weight);
        if (full < rows)
        {
            int n = rows - full;
            float* px = stackalloc float[RowGroups.MaxRows * RowGroups.MaxClasses];
            float* plse = stackalloc float[RowGroups.MaxRows];
            int* pl = stackalloc int[RowGroups.MaxRows];
            RowGroups.PadRows(x + (long)full * classes, n, classes, px, groupRows);
            new Span<int>(pl, RowGroups.MaxRows).Clear();
            new ReadOnlySpan<int>(labels + full, n).CopyTo(new Span<int>(pl, n));
            ForwardGroup(in groups, px, pl, weights, ignore, plse, RowGroups<S, V>.ValidRows(n), loss, weight);
            new ReadOnlySpan<float>(plse, n).CopyTo(new Span<float>(lse + full, n));
        }
        return (S.SumWidened(loss), S.SumWidened(weight));
    }

    /// <summary>One group of rows: lse = max + log(sum exp(x - max)); loss += w[y] * (lse - x[y]) over counted rows.</summary>
    private static void ForwardGroup<S, V>(in RowGroups<S, V> groups, float* x, int* labels, float* weights, int ignore, float* lse,
        V valid, double* lossSum, double* weightSum) where S : struct, ISimd<V> where V : unmanaged
    {
        int classes = groups.Classes;
        V* cls = stackalloc V[RowGroups.MaxClasses];
        groups.LoadClasses(x, cls);
        var max = cls[0];
        for (int k = 1; k < classes; k++) max = S.Max(max, cls[k]);
        var sum = S.Zero;
        for (int k = 0; k < classes; k++) sum = S.Add(sum, S.Exp(S.Subtract(cls[k], max)));
        var l = S.Add(max, S.Log(sum));
        S.Store(l, lse);

        // Labels are small ints (or the ignore label), exact as floats.
        var label = S.LoadInts(labels);
        var counted = S.AndNot(valid, S.EqualTo(label, S.Create(ignore)));
        var picked = S.Zero;
        var w = weights == null ? S.One : S.Zero;
        for (int k = 0; k < classes; k++)
        {
            var isK = S.EqualTo(label, S.Create(k));
            picked = S.Select(isK, cls[k], picked);
            if (weights != null) w = S.Select(isK, S.Create(weights[k]), w);
        }
        w = S.And(w, counted);
        S.AddWidened(S.Multiply(w, S.Subtract(l, picked)), lossSum);
        S.AddWidened(w, weightSum);
    }

    private static (double Loss, double Weight) ForwardRows(float* x, int* labels, float* weights, int ignore, int classes, float* lse, int rows)
    {
        int blockRows = Math.Max(1, RowMath.BlockElements / classes);
        float[] exps = ArrayPool<float>.Shared.Rent(blockRows * classes);
        Span<float> maxes = stackalloc float[blockRows];
        double loss = 0, weight = 0;
        for (int r0 = 0; r0 < rows; r0 += blockRows)
        {
            int n = Math.Min(blockRows, rows - r0);
            var xs = new ReadOnlySpan<float>(x + (long)r0 * classes, n * classes);
            var e = exps.AsSpan(0, n * classes);
            var lseBlock = new Span<float>(lse + r0, n);
            for (int r = 0; r < n; r++)
            {
                var xr = xs.Slice(r * classes, classes);
                maxes[r] = RowMath.Max(xr);
                RowMath.Add(xr, -maxes[r], e.Slice(r * classes, classes));
            }
            TensorPrimitives.Exp(e, e);
            for (int r = 0; r < n; r++) lseBlock[r] = RowMath.Sum(e.Slice(r * classes, classes));
            TensorPrimitives.Log(lseBlock, lseBlock);
            TensorPrimitives.Add(lseBlock, maxes[..n], lseBlock);
            for (int r = 0; r < n; r++)
            {
                int label = labels[r0 + r];
                if (label == ignore) continue;
                double w = weights == null ? 1.0 : weights[label];
                loss += w * (lseBlock[r] - xs[r * classes + label]);
                weight += w;
            }
        }
        ArrayPool<float>.Shared.Return(exps);
        return (loss, weight);
    }

    /// <param name="scale">dLoss / weightSum (0 when nothing was counted).</param>
    public static void Backward(Tensor logits, Tensor labels, Tensor? weights, int? ignoreLabel, Tensor logSumExp, float scale, Tensor dLogits)
    {
        var work = new BackwardWork
        {
            X = (float*)logits.DataPointer, Labels = (int*)labels.DataPointer, Weights = weights is null ? null : (float*)weights.DataPointer,
            Ignore = ignoreLabel ?? -1, Classes = logits.Shape[-1], Lse = (float*)logSumExp.DataPointer, Scale = scale,
            Dx = (float*)dLogits.DataPointer,
        };
        RowMath.RunRows(ref work, labels.ElementCount, work.Classes);
    }

    private struct BackwardWork : IWorkItem
    {
        public float* X, Weights, Lse, Dx;
        public int* Labels;
        public int Ignore, Classes;
        public float Scale;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            long offset = (long)start * Classes;
            if (RowGroups.Supported(Classes))
                BackwardGroups(X + offset, Labels + start, Weights, Ignore, Classes, Lse + start, Scale, Dx + offset, end - start);
            else
                BackwardRows(X + offset, Labels + start, Weights, Ignore, Classes, Lse + start, Scale,
                    new Span<float>(Dx + offset, (end - start) * Classes));
        }
    }

    private static void BackwardGroups(float* x, int* labels, float* weights, int ignore, int classes, float* lse, float scale, float* dx, int rows)
    {
        if (Vector512.IsHardwareAccelerated) BackwardGroups<Simd512, Vector512<float>>(x, labels, weights, ignore, classes, lse, scale, dx, rows);
        else BackwardGroups<Simd256, Vector256<float>>(x, labels, weights, ignore, classes, lse, scale, dx, rows);
    }

    private static void BackwardGroups<S, V>(float* x, int* labels, float* weights, int ignore, int classes, float* lse, float scale, float* dx, int rows)
        where S : struct, ISimd<V> where V : unmanaged
    {
        var groups = new RowGroups<S, V>(classes);
        int groupRows = S.Count, full = rows - rows % groupRows;
        for (int r = 0; r < full; r += groupRows)
            BackwardGroup(in groups, x + (long)r * classes, labels + r, weights, ignore, lse + r, scale, dx + (long)r * classes);
        if (full < rows)
        {
            int n = rows - full;
            float* px = stackalloc float[RowGroups.MaxRows * RowGroups.MaxClasses];
            float* pdx = stackalloc float[RowGroups.MaxRows * RowGroups.MaxClasses];
            float* plse = stackalloc float[RowGroups.MaxRows];
            int* pl = stackalloc int[RowGroups.MaxRows];
            RowGroups.PadRows(x + (long)full * classes, n, classes, px, groupRows);
            RowGroups.PadRows(lse + full, n, 1, plse, groupRows);
            new Span<int>(pl, RowGroups.MaxRows).Clear();
            new ReadOnlySpan<int>(labels + full, n).CopyTo(new Span<int>(pl, n));
            BackwardGroup(in groups, px, pl, weights, ignore, plse, scale, pdx);
            new ReadOnlySpan<float>(pdx, n * classes).CopyTo(new Span<float>(dx + (long)full * classes, n * classes));
        }
    }

    /// <summary>One group of rows: dx = (exp(x - lse) - onehot(y)) * w[y] * scale, 0 on ignored rows; contiguous loads and stores.</summary>
    private static void BackwardGroup<S, V>(in RowGroups<S, V> groups, float* x, int* labels, float* weights, int ignore, float* lse, float scale, float* dx)
        where S : struct, ISimd<V> where V : unmanaged
    {
        int classes = groups.Classes, rows = S.Count;
        var l = S.Load(lse);
        var label = S.LoadInts(labels);
        var counted = S.Not(S.EqualTo(label, S.Create(ignore)));
        var s = S.Create(scale);
        if (weights != null)
        {
            var w = S.Zero;
            for (int k = 0; k < classes; k++)
                w = S.Select(S.EqualTo(label, S.Create(k)), S.Create(weights[k]), w);
            s = S.Multiply(s, w);
        }
        s = S.And(s, counted);
        for (int v = 0; v < classes; v++)
        {
            var e = S.Exp(S.Subtract(S.Load(x + v * rows), groups.Expand(l, v)));
            var hot = S.And(S.EqualTo(groups.ClassOf(v), groups.Expand(label, v)), S.One);
            // The mask, not only s = 0, zeroes ignored rows: their exp may be inf when their lse is stale.
            S.Store(S.And(S.Multiply(S.Subtract(e, hot), groups.Expand(s, v)), groups.Expand(counted, v)), dx + v * rows);
        }
    }

    private static void BackwardRows(float* x, int* labels, float* weights, int ignore, int classes, float* lse, float scale, Span<float> dx)
    {
        int rows = dx.Length / classes, blockRows = Math.Max(1, RowMath.BlockElements / classes);
        for (int r0 = 0; r0 < rows; r0 += blockRows)
        {
            int n = Math.Min(blockRows, rows - r0);
            var block = dx.Slice(r0 * classes, n * classes);
            for (int r = r0; r < r0 + n; r++)
                RowMath.Add(new ReadOnlySpan<float>(x + (long)r * classes, classes), -lse[r], dx.Slice(r * classes, classes));
            TensorPrimitives.Exp(block, block);
            for (int r = r0; r < r0 + n; r++)
            {
                var dxr = dx.Slice(r * classes, classes);
                int label = labels[r];
                if (label == ignore)
                {
                    dxr.Clear();
                    continue;
                }
                float s = weights == null ? scale : weights[label] * scale;
                RowMath.Multiply(dxr, s, dxr);
                dxr[label] -= s;
            }
        }
    }
}
