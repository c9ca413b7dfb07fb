using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// A tensor view's shape and strides packed for a kernel (kernels take no arrays): up to <see cref="MaxRank"/>
/// dimensions, right-aligned so that D5/S5 is the innermost; unused leading dimensions have size 1. Maps a
/// row-major index over the shape to the element's position in storage. Broadcasting is a stride of 0.
/// </summary>
public struct StridedLayout
{
    public const int MaxRank = 6;

    public int Offset;
    public int D0, D1, D2, D3, D4, D5;
    public int S0, S1, S2, S3, S4, S5;

    /// <summary>Storage position of the element with row-major index <paramref name="linear"/>.</summary>
    public readonly int PositionOf(int linear)
    {
        int p = Offset;
        p += linear % D5 * S5; linear /= D5;
        p += linear % D4 * S4; linear /= D4;
        p += linear % D3 * S3; linear /= D3;
        p += linear % D2 * S2; linear /= D2;
        p += linear % D1 * S1; linear /= D1;
        return p + linear % D0 * S0;
    }

    /// <summary>The layout of <paramref name="t"/>'s view (offset relative to its storage).</summary>
    public static StridedLayout Of(Tensor t) => Of(t.Shape, t.Strides, t.Offset, t.Describe());

    /// <summary>
    /// The contiguous tensor <paramref name="t"/> read as if broadcast to <paramref name="target"/> (NumPy rules,
    /// already checked by the op): broadcast dimensions get stride 0. Offset 0: kernels index the tensor's own view.
    /// </summary>
    public static StridedLayout Broadcast(Tensor t, Shape target)
    {
        Span<int> strides = stackalloc int[target.Rank];
        var own = t.Shape.ContiguousStrides();
        int lead = target.Rank - t.Rank;
        for (int i = 0; i < target.Rank; i++)
            strides[i] = i < lead || t.Shape[i - lead] == 1 ? 0 : own[i - lead];
        return Of(target, strides, 0, t.Describe());
    }

    /// <summary>Any shape and strides (a kernel's own view of a tensor, e.g. a reduction's kept or reduced axes).</summary>
    internal static StridedLayout Of(Shape shape, ReadOnlySpan<int> strides, int offset, string what)
    {
        if (shape.Rank > MaxRank)
            throw new NotSupportedException($"{what}: the GPU kernels index views of rank up to {MaxRank}");
        Span<int> d = stackalloc int[MaxRank];
        Span<int> s = stackalloc int[MaxRank];
        d.Fill(1);
        s.Clear();
        int lead = MaxRank - shape.Rank;
        for (int i = 0; i < shape.Rank; i++)
        {
            d[lead + i] = shape[i];
            s[lead + i] = strides[i];
        }
        return new StridedLayout
        {
            Offset = offset,
            D0 = d[0], D1 = d[1], D2 = d[2], D3 = d[3], D4 = d[4], D5 = d[5],
            S0 = s[0], S1 = s[1], S2 = s[2], S3 = s[3], S4 = s[4], S5 = s[5],
        };
    }
}
