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
        bool wide = Vector512.IsHardwareAccelerated && classes >= Vector512<float>.Count;
        for (int r = 0; r < rows; r++, x += classes)
            indices[r] = wide ? WideRow(x, classes) : ScanRow(x, classes);
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
    private static int WideRow(float* x, int classes)
    {
        int last = classes - Vector512<float>.Count;
        var max = Vector512.Load(x + last);
        for (int k = 0; k < last; k += Vector512<float>.Count) max = Vector512.Max(max, Vector512.Load(x + k));
        var half = Vector256.Max(max.GetLower(), max.GetUpper());
        var quarter = Vector128.Max(half.GetLower(), half.GetUpper());
        float m = MathF.Max(MathF.Max(quarter[0], quarter[1]), MathF.Max(quarter[2], quarter[3]));
        if (float.IsNaN(m) || float.IsNaN(x[0])) return ScanRow(x, classes);
        var target = Vector512.Create(m);
        for (int k = 0; ; k = Math.Min(k + Vector512<float>.Count, last))
        {
            ulong hits = Vector512.Equals(Vector512.Load(x + k), target).ExtractMostSignificantBits();
            if (hits != 0) return k + BitOperations.TrailingZeroCount(hits);
        }
    }
}
