using System.Numerics;

namespace NeuralCore.Kernels.Reference;

/// <summary>Greedy nms as torchvision's CPU kernel: a stable descending sort, then each kept box suppresses later overlaps.</summary>
internal static class ReferenceNms
{
    public static void Run<T>(ReadOnlySpan<T> boxes, ReadOnlySpan<T> scores, double iouThreshold, Span<int> order, Span<int> keep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = scores.Length;
        var s = scores.ToArray();
        var sorted = Enumerable.Range(0, n).OrderByDescending(i => s[i]).ThenBy(i => i).ToArray();
        sorted.CopyTo(order);
        var suppressed = new bool[n];
        for (int r = 0; r < n; r++)
        {
            keep[r] = suppressed[r] ? 0 : 1;
            if (suppressed[r]) continue;
            for (int q = r + 1; q < n; q++)
                if (!suppressed[q] && double.CreateChecked(Iou(boxes, sorted[r], sorted[q])) > iouThreshold) suppressed[q] = true;
        }
    }

    /// <summary>Intersection over union of boxes i and j, in torchvision's order of operations.</summary>
    private static T Iou<T>(ReadOnlySpan<T> b, int i, int j) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T w = T.Max(T.Zero, T.Min(b[i * 4 + 2], b[j * 4 + 2]) - T.Max(b[i * 4], b[j * 4]));
        T h = T.Max(T.Zero, T.Min(b[i * 4 + 3], b[j * 4 + 3]) - T.Max(b[i * 4 + 1], b[j * 4 + 1]));
        T inter = w * h;
        T areaI = (b[i * 4 + 2] - b[i * 4]) * (b[i * 4 + 3] - b[i * 4 + 1]);
        T areaJ = (b[j * 4 + 2] - b[j * 4]) * (b[j * 4 + 3] - b[j * 4 + 1]);
        return inter / (areaI + areaJ - inter);
    }
}
