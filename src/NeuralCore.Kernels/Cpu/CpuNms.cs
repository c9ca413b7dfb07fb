using System.Runtime.Intrinsics;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Fast float32 nms, the same boxes kept as <see cref="Reference.ReferenceNms"/>. One sort of 64-bit keys (score
/// mapped to an order-preserving integer, then the index), which is the reference's stable order: descending score
/// by float.CompareTo (NaN last, -0 equal to +0), equal scores by increasing index. The boxes and their areas are
/// then laid out in that order as columns, and each kept box tests all later boxes a vector at a time (AVX-512 or
/// AVX2), OR-ing "IoU &gt; threshold" into a suppression mask: the reference skips boxes already suppressed, but
/// suppression only ever grows, so testing them again changes nothing. The IoU is the reference's float arithmetic
/// in its order (vector min/max follow Math.Min/Max), and "(double) iou &gt; threshold" is tested as iou &gt; the
/// largest float not above the threshold, which holds for exactly the same floats, so the kept set is identical.
/// Single-threaded: each kept box depends on every decision before it, and the vector pass after one kept box
/// (a few hundred vectors for thousands of boxes) is shorter than a hand-off to the worker pool.
/// </summary>
internal static unsafe class CpuNms
{
    public static void Run(ReadOnlySpan<float> boxes, ReadOnlySpan<float> scores, double iouThreshold, Span<int> order, Span<int> keep)
    {
        int n = scores.Length;
        SortByScore(scores, order);
        // Columns padded to whole vectors; padding lanes compute a meaningless IoU that is never read.
        int lanes = Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count;
        int padded = (n + lanes - 1) / lanes * lanes;
        var columns = new float[6 * padded];
        fixed (float* pc = columns)
        {
            float* x1 = pc, y1 = pc + padded, x2 = pc + 2 * padded, y2 = pc + 3 * padded, area = pc + 4 * padded, removed = pc + 5 * padded;
            for (int r = 0; r < n; r++)
            {
                int b = order[r] * 4;
                (x1[r], y1[r], x2[r], y2[r]) = (boxes[b], boxes[b + 1], boxes[b + 2], boxes[b + 3]);
                area[r] = (x2[r] - x1[r]) * (y2[r] - y1[r]);
            }
            float threshold = FloatBelowOrAt(iouThreshold);
            var columnSet = new Columns { X1 = x1, Y1 = y1, X2 = x2, Y2 = y2, Area = area, Removed = removed, Padded = padded };
            for (int r = 0; r < n; r++)
            {
                keep[r] = removed[r] == 0 ? 1 : 0;
                if (removed[r] != 0) continue;
                if (Vector512.IsHardwareAccelerated) Suppress<Simd512, Vector512<float>>(columnSet, r, threshold);
                else Suppress<Simd256, Vector256<float>>(columnSet, r, threshold);
            }
        }
    }

    /// <summary>order = box indices by descending score, ties by increasing index (the reference's stable sort).</summary>
    private static void SortByScore(ReadOnlySpan<float> scores, Span<int> order)
    {
        var keys = new ulong[scores.Length];
        for (int i = 0; i < keys.Length; i++) keys[i] = ((ulong)DescendingKey(scores[i]) << 32) | (uint)i;
        Array.Sort(keys);
        for (int i = 0; i < keys.Length; i++) order[i] = (int)(uint)keys[i];
    }

    /// <summary>An unsigned key that ascends as float.CompareTo descends: NaN largest (it compares below every number),
    /// -0 and +0 equal.</summary>
    private static uint DescendingKey(float score)
    {
        if (float.IsNaN(score)) return uint.MaxValue;
        uint bits = BitConverter.SingleToUInt32Bits(score == 0 ? 0f : score);
        uint ascending = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        return ~ascending;
    }

    /// <summary>The largest float f with (double) f &lt;= <paramref name="threshold"/>: for every float v, v &gt; f exactly
    /// when (double) v &gt; threshold.</summary>
    private static float FloatBelowOrAt(double threshold)
    {
        float f = (float)threshold;
        return f > threshold ? MathF.BitDecrement(f) : f;
    }

    /// <summary>The sorted boxes as columns, their areas, and the suppression mask (all bits set = suppressed).</summary>
    private struct Columns
    {
        public float* X1, Y1, X2, Y2, Area, Removed;
        public int Padded;
    }

    /// <summary>Marks every box after rank r that kept box r overlaps with IoU above the threshold.</summary>
    private static void Suppress<S, V>(in Columns c, int r, float threshold) where S : struct, ISimd<V> where V : struct
    {
        V ax1 = S.Create(c.X1[r]), ay1 = S.Create(c.Y1[r]), ax2 = S.Create(c.X2[r]), ay2 = S.Create(c.Y2[r]), area = S.Create(c.Area[r]);
        V limit = S.Create(threshold);
        // Start at the vector holding r + 1; lanes at or before r OR in a mask that no longer matters (they are decided).
        for (int q = (r + 1) / S.Count * S.Count; q < c.Padded; q += S.Count)
        {
            V w = S.Max(S.Zero, S.Subtract(S.Min(ax2, S.Load(c.X2 + q)), S.Max(ax1, S.Load(c.X1 + q))));
            V h = S.Max(S.Zero, S.Subtract(S.Min(ay2, S.Load(c.Y2 + q)), S.Max(ay1, S.Load(c.Y1 + q))));
            V inter = S.Multiply(w, h);
            V iou = S.Divide(inter, S.Subtract(S.Add(area, S.Load(c.Area + q)), inter));
            S.Store(S.Or(S.Load(c.Removed + q), S.GreaterThan(iou, limit)), c.Removed + q);
        }
    }
}
