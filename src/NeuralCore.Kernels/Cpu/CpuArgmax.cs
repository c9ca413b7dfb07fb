using System.Numerics;
using System.Runtime.Intrinsics;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Fast float32 argmax over the last axis (first of ties, NaN never wins, as the reference). Few classes go 16 (AVX-512)
/// or 8 (AVX2) rows at a time across rows (<see cref="RowGroups{S, V}"/>: K - 1 compare-selects per group); many classes scan each row.
/// Row chunks run on the worker pool.
/// </summary>
internal static unsafe class CpuArgmax
{
    public static void Argmax(Tensor x, Tensor indices, int classes)
    {
        var work = new ArgmaxWork { X = (float*)x.DataPointer, Indices = (int*)indices.DataPointer, Classes = classes };
        RowMath.RunRows(ref work, indices.ElementCount, classes);
    }

    private struct ArgmaxWork : IWorkItem
    {
        public float* X;
        public int* Indices;
        public int Classes;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            float* x = X + (long)start * Classes;
            if (RowGroups.Supported(Classes)) Groups(x, Indices + start, end - start, Classes);
            else Rows(x, Indices + start, end - start, Classes);
        }
    }

    private static void Groups(float* x, int* indices, int rows, int classes)
    {
        if (Vector512.IsHardwareAccelerated) Groups<Simd512, Vector512<float>>(x, indices, rows, classes);
        else Groups<Simd256, Vector256<float>>(x, indices, rows, classes);
    }

    private static void Groups<S, V>(float* x, int* indices, int rows, int classes) where S : struct, ISimd<V> where V : unmanaged
    {
        var groups = new RowGroups<S, V>(classes);
        int groupRows = S.Count, full = rows - rows % groupRows;
        for (int r = 0; r < full; r += groupRows)
            S.StoreInts(Group(in groups, x + (long)r * classes), indices + r);
        if (full == rows) return;
        float* padded = stackalloc float[RowGroups.MaxRows * RowGroups.MaxClasses];
        int* best = stackalloc int[RowGroups.MaxRows];
        RowGroups.PadRows(x + (long)full * classes, rows - full, classes, padded, groupRows);
        S.StoreInts(Group(in groups, padded), best);
        new ReadOnlySpan<int>(best, rows - full).CopyTo(new Span<int>(indices + full, rows - full));
    }

    /// <summary>Per row of the group, the class index (as an exact float) of its first maximum.</summary>
    private static V Group<S, V>(in RowGroups<S, V> groups, float* x) where S : struct, ISimd<V> where V : unmanaged
    {
        V* cls = stackalloc V[RowGroups.MaxClasses];
        groups.LoadClasses(x, cls);
        var bestValue = cls[0];
        var best = S.Zero;
        for (int k = 1; k < groups.Classes; k++)
        {
            var wins = S.GreaterThan(cls[k], bestValue);
            bestValue = S.Select(wins, cls[k], bestValue);
            best = S.Select(wins, S.Create(k), best);
        }
        return best;
    }

    private static void Rows(float* x, int* indices, int rows, int classes)
    {
        if (Vector512.IsHardwareAccelerated && classes >= Simd512.Count) Rows<Simd512, Vector512<float>>(x, indices, rows, classes);
        else if (Vector256.IsHardwareAccelerated && classes >= Simd256.Count) Rows<Simd256, Vector256<float>>(x, indices, rows, classes);
        else
            for (int r = 0; r < rows; r++, x += classes) indices[r] = ScanRow(x, classes);
    }

    private static void Rows<S, V>(float* x, int* indices, int rows, int classes) where S : struct, ISimd<V> where V : struct
    {
        for (int r = 0; r < rows; r++, x += classes) indices[r] = WideRow<S, V>(x, classes);
    }

    /// <summary>The reference's rule: the first strictly greater value wins, so a NaN never does.</summary>
    private static int ScanRow(float* x, int classes)
    {
        int best = 0;
        float bestValue = x[0];
        for (int k = 1; k < classes; k++)
            if (x[k] > bestValue)
            {
                bestValue = x[k];
                best = k;
            }
        return best;
    }

    /// <summary>Vector max, then the first lane equal to it; the last vector overlaps the previous one. A NaN max or a
    /// leading NaN (which the scalar rule keeps) sends the row to the scalar rule.</summary>
    private static int WideRow<S, V>(float* x, int classes) where S : struct, ISimd<V> where V : struct
    {
        int last = classes - S.Count;
        var max = S.Load(x + last);
        for (int k = 0; k < last; k += S.Count) max = S.Max(max, S.Load(x + k));
        float m = S.MaxAcross(max);
        if (float.IsNaN(m) || float.IsNaN(x[0])) return ScanRow(x, classes);
        var target = S.Create(m);
        for (int k = 0; ; k = Math.Min(k + S.Count, last))
        {
            ulong hits = S.EqualBits(S.Load(x + k), target);
            if (hits != 0) return k + BitOperations.TrailingZeroCount(hits);
        }
    }
}
