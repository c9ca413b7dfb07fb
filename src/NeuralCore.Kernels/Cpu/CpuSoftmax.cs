using System.Buffers;
using System.Runtime.Intrinsics;
using NeuralCore.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Fast float32 softmax / log_softmax over the last axis. Few classes (the 3-class pets) go 16 rows (AVX-512) or 8 (AVX2) at a
/// time across rows (<see cref="RowGroups{S, V}"/>). Many classes go in L1-sized blocks of rows: shift each row by its maximum, then one
/// vectorised exp over the whole block, then per-row normalisation. Row chunks run on the worker pool.
/// </summary>
internal static unsafe class CpuSoftmax
{
    public static void Forward(Tensor x, Tensor y, int classes, bool log)
    {
        var work = new RowsWork { A = (float*)x.DataPointer, Y = (float*)y.DataPointer, Classes = classes, Log = log };
        RowMath.RunRows(ref work, x.ElementCount / classes, classes);
    }

    public static void Backward(Tensor y, Tensor dy, Tensor dx, int classes, bool log)
    {
        var work = new RowsWork { A = (float*)y.DataPointer, B = (float*)dy.DataPointer, Y = (float*)dx.DataPointer, Classes = classes, Log = log };
        RowMath.RunRows(ref work, y.ElementCount / classes, classes);
    }

    /// <summary>Forward (B null): A = x, Y = y. Backward: A = y, B = dy, Y = dx.</summary>
    private struct RowsWork : IWorkItem
    {
        public float* A, B, Y;
        public int Classes;
        public bool Log;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            long offset = (long)start * Classes;
            int rows = end - start, length = rows * Classes;
            // Without AVX-512 the backward's two transposes (emulated two-source permutes) cost more than the
            // per-row loops save (measured: softmax_backward 1.5x slower than rows, log_softmax_backward no faster).
            if (RowGroups.Supported(Classes) && (B == null || Vector512.IsHardwareAccelerated))
                Groups(A + offset, B == null ? null : B + offset, Y + offset, rows, Classes, Log);
            else if (B == null) ForwardRows(A + offset, Y + offset, rows, Classes, Log);
            else BackwardRows(new ReadOnlySpan<float>(A + offset, length), new ReadOnlySpan<float>(B + offset, length), new Span<float>(Y + offset, length), Classes, Log);
        }
    }

    private static void Groups(float* a, float* b, float* y, int rows, int classes, bool log)
    {
        if (Vector512.IsHardwareAccelerated) Groups<Simd512, Vector512<float>>(a, b, y, rows, classes, log);
        else Groups<Simd256, Vector256<float>>(a, b, y, rows, classes, log);
    }

    private static void Groups<S, V>(float* a, float* b, float* y, int rows, int classes, bool log)
        where S : struct, ISimd<V> where V : unmanaged
    {
        var groups = new RowGroups<S, V>(classes);
        int groupRows = S.Count, full = rows - rows % groupRows;
        for (int r = 0; r < full; r += groupRows)
        {
            long offset = (long)r * classes;
            if (b == null) ForwardGroup(in groups, a + offset, y + offset, log);
            else BackwardGroup(in groups, a + offset, b + offset, y + offset, log);
        }
        if (full == rows) return;
        int n = rows - full;
        long tail = (long)full * classes;
        float* pa = stackalloc float[RowGroups.MaxRows * RowGroups.MaxClasses];
        float* pb = stackalloc float[RowGroups.MaxRows * RowGroups.MaxClasses];
        float* py = stackalloc float[RowGroups.MaxRows * RowGroups.MaxClasses];
        RowGroups.PadRows(a + tail, n, classes, pa, groupRows);
        if (b == null) ForwardGroup(in groups, pa, py, log);
        else
        {
            RowGroups.PadRows(b + tail, n, classes, pb, groupRows);
            BackwardGroup(in groups, pa, pb, py, log);
        }
        new ReadOnlySpan<float>(py, n * classes).CopyTo(new Span<float>(y + tail, n * classes));
    }

    /// <summary>One group of rows: y = exp(x - max) / sum, or (x - max) - log(sum), with sum = sum_k exp(x - max).</summary>
    private static void ForwardGroup<S, V>(in RowGroups<S, V> groups, float* x, float* y, bool log)
        where S : struct, ISimd<V> where V : unmanaged
    {
        int classes = groups.Classes, rows = S.Count;
        V* cls = stackalloc V[RowGroups.MaxClasses];
        groups.LoadClasses(x, cls);
        var max = cls[0];
        for (int k = 1; k < classes; k++) max = S.Max(max, cls[k]);
        var sum = S.Zero;
        for (int k = 0; k < classes; k++) sum = S.Add(sum, S.Exp(S.Subtract(cls[k], max)));
        var norm = log ? S.Log(sum) : S.Divide(S.One, sum);
        for (int v = 0; v < classes; v++)
        {
            var shifted = S.Subtract(S.Load(x + v * rows), groups.Expand(max, v));
            var result = log ? S.Subtract(shifted, groups.Expand(norm, v)) : S.Multiply(S.Exp(shifted), groups.Expand(norm, v));
            S.Store(result, y + v * rows);
        }
    }

    /// <summary>One group of rows: softmax dx = y * (dy - sum(dy * y)); log_softmax dx = dy - exp(y) * sum(dy).</summary>
    private static void BackwardGroup<S, V>(in RowGroups<S, V> groups, float* y, float* dy, float* dx, bool log)
        where S : struct, ISimd<V> where V : unmanaged
    {
        int classes = groups.Classes, rows = S.Count;
        V* ys = stackalloc V[RowGroups.MaxClasses];
        V* dys = stackalloc V[RowGroups.MaxClasses];
        groups.LoadClasses(dy, dys);
        if (!log) groups.LoadClasses(y, ys);
        var dot = S.Zero;
        for (int k = 0; k < classes; k++) dot = S.Add(dot, log ? dys[k] : S.Multiply(dys[k], ys[k]));
        for (int v = 0; v < classes; v++)
        {
            var yv = S.Load(y + v * rows);
            var dyv = S.Load(dy + v * rows);
            var d = groups.Expand(dot, v);
            S.Store(log ? S.Subtract(dyv, S.Multiply(S.Exp(yv), d)) : S.Multiply(yv, S.Subtract(dyv, d)), dx + v * rows);
        }
    }

    private static void ForwardRows(float* x, float* y, int rows, int classes, bool log)
    {
        int blockRows = Math.Max(1, RowMath.BlockElements / classes);
        Span<float> rowSums = stackalloc float[blockRows];
        float[] exps = log ? ArrayPool<float>.Shared.Rent(blockRows * classes) : [];
        for (int r0 = 0; r0 < rows; r0 += blockRows)
        {
            int n = Math.Min(blockRows, rows - r0);
            var xs = new ReadOnlySpan<float>(x + (long)r0 * classes, n * classes);
            var ys = new Span<float>(y + (long)r0 * classes, n * classes);
            for (int r = 0; r < n; r++)
            {
                var xr = xs.Slice(r * classes, classes);
                RowMath.Add(xr, -RowMath.Max(xr), ys.Slice(r * classes, classes));
            }
            var e = log ? exps.AsSpan(0, n * classes) : ys;
            TensorPrimitives.Exp(ys, e);
            var sums = rowSums[..n];
            for (int r = 0; r < n; r++) sums[r] = RowMath.Sum(e.Slice(r * classes, classes));
            if (log) TensorPrimitives.Log(sums, sums);
            else TensorPrimitives.Reciprocal(sums, sums);
            for (int r = 0; r < n; r++)
            {
                var yr = ys.Slice(r * classes, classes);
                if (log) RowMath.Add(yr, -sums[r], yr);
                else RowMath.Multiply(yr, sums[r], yr);
            }
        }
        if (log) ArrayPool<float>.Shared.Return(exps);
    }

    private static void BackwardRows(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int classes, bool log)
    {
        // log_softmax needs softmax = exp(y): one vectorised pass over the whole chunk into dx, then rows in place.
        if (log) TensorPrimitives.Exp(y, dx);
        for (int row = 0; row < y.Length; row += classes)
        {
            var yr = y.Slice(row, classes);
            var dyr = dy.Slice(row, classes);
            var dxr = dx.Slice(row, classes);
            if (log) RowMath.MultiplyAdd(dxr, -RowMath.Sum(dyr), dyr, dxr);
            else RowMath.AddMultiply(dyr, -RowMath.Dot(dyr, yr), yr, dxr);
        }
    }
}
