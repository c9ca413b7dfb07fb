using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// Where a kernel reads a contiguous operand for output element i when the operand broadcasts (NumPy rules) to the
/// output's shape. The common layouts skip the strided layout's six divisions: the same shape reads element i, and an
/// operand that is the output's trailing dimensions (a bias [C] against [N, H, W, C], a scalar) reads i mod its size.
/// </summary>
internal struct BroadcastIndex
{
    private const int Same = 0, Trailing = 1, Strided = 2;

    public int Kind;
    public int Period;
    public StridedLayout Layout;

    public readonly int Of(int i) => Kind == Same ? i : Kind == Trailing ? i % Period : Layout.PositionOf(i);

    /// <summary>How to read <paramref name="operand"/> (contiguous) broadcast to <paramref name="target"/>.</summary>
    public static BroadcastIndex For(Tensor operand, Shape target)
    {
        if (operand.Shape == target) return new BroadcastIndex { Kind = Same };
        if (IsTrailing(operand.Shape, target)) return new BroadcastIndex { Kind = Trailing, Period = Math.Max(operand.ElementCount, 1) };
        return new BroadcastIndex { Kind = Strided, Layout = StridedLayout.Broadcast(operand, target) };
    }

    /// <summary>The operand, less its leading 1s, equals the target's last dimensions (so it repeats with period = its size).</summary>
    private static bool IsTrailing(Shape operand, Shape target)
    {
        int lead = 0;
        while (lead < operand.Rank && operand[lead] == 1) lead++;
        int kept = operand.Rank - lead;
        if (kept > target.Rank) return false;
        for (int i = 0; i < kept; i++)
            if (operand[lead + i] != target[target.Rank - kept + i]) return false;
        return true;
    }
}
