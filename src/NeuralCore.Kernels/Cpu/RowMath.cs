using System.Runtime.CompilerServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Per-row helpers of the softmax family. Segmentation rows are short (3 or 59 classes), where a plain loop beats
/// the call and remainder handling of a SIMD primitive; long rows go to <see cref="TensorPrimitives"/>.
/// </summary>
internal static class RowMath
{
    /// <summary>Rows at least this long use SIMD primitives.</summary>
    private const int Wide = 16;

    /// <summary>Elements processed per block: small enough for L1, large enough to amortise one vectorised exp call.</summary>
    public const int BlockElements = 4096;

    /// <summary>Rows per parallel chunk start at this many elements, so small tensors stay on one thread.</summary>
    public const int ParallelElements = 32768;

    /// <summary>
    /// Runs <paramref name="work"/> over [0, rows) rows of <paramref name="classes"/> values: on the worker pool in
    /// chunks that start on 16-row boundaries (a multiple of every <see cref="RowGroups{S, V}"/> group size), or on the caller for small tensors.
    /// The partition depends only on the sizes and the thread count, so per-chunk partial sums are reproducible.
    /// </summary>
    public static void RunRows<T>(ref T work, int rows, int classes) where T : struct, IWorkItem
    {
        if ((long)rows * classes < ParallelElements)
        {
            work.Execute(0, rows, 0);
            return;
        }
        var groups = new GroupsOf<T> { Inner = work, Rows = rows };
        CpuParallel.For((rows + RowGroups.MaxRows - 1) / RowGroups.MaxRows, ref groups);
    }

    private struct GroupsOf<T> : IWorkItem where T : struct, IWorkItem
    {
        public T Inner;
        public int Rows;

        public void Execute(int start, int end, int threadIndex) =>
            Inner.Execute(start * RowGroups.MaxRows, Math.Min(end * RowGroups.MaxRows, Rows), threadIndex);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(ReadOnlySpan<float> row)
    {
        if (row.Length >= Wide) return TensorPrimitives.Max(row);
        float max = row[0];
        for (int k = 1; k < row.Length; k++)
            if (row[k] > max) max = row[k];
        return max;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(ReadOnlySpan<float> row)
    {
        if (row.Length >= Wide) return TensorPrimitives.Sum(row);
        float sum = 0;
        foreach (float v in row) sum += v;
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length >= Wide) return TensorPrimitives.Dot(a, b);
        float sum = 0;
        for (int k = 0; k < a.Length; k++) sum += a[k] * b[k];
        return sum;
    }

    /// <summary>dst = src + value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(ReadOnlySpan<float> src, float value, Span<float> dst)
    {
        if (src.Length >= Wide) TensorPrimitives.Add(src, value, dst);
        else
            for (int k = 0; k < src.Length; k++) dst[k] = src[k] + value;
    }

    /// <summary>dst = src * value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Multiply(ReadOnlySpan<float> src, float value, Span<float> dst)
    {
        if (src.Length >= Wide) TensorPrimitives.Multiply(src, value, dst);
        else
            for (int k = 0; k < src.Length; k++) dst[k] = src[k] * value;
    }

    /// <summary>dst = a * value + b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MultiplyAdd(ReadOnlySpan<float> a, float value, ReadOnlySpan<float> b, Span<float> dst)
    {
        if (a.Length >= Wide) TensorPrimitives.MultiplyAdd(a, value, b, dst);
        else
            for (int k = 0; k < a.Length; k++) dst[k] = a[k] * value + b[k];
    }

    /// <summary>dst = (a + value) * b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddMultiply(ReadOnlySpan<float> a, float value, ReadOnlySpan<float> b, Span<float> dst)
    {
        if (a.Length >= Wide) TensorPrimitives.AddMultiply(a, value, b, dst);
        else
            for (int k = 0; k < a.Length; k++) dst[k] = (a[k] + value) * b[k];
    }
}
