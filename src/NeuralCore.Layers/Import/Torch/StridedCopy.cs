namespace NeuralCore.Layers.Import.Torch;

/// <summary>Copies a strided view (offset and strides in elements) into a packed C-order buffer.</summary>
internal static class StridedCopy
{
    /// <param name="source">Elements of <paramref name="elementSize"/> bytes; the caller has checked the view's bounds.</param>
    /// <param name="packed">Receives the product of <paramref name="shape"/> elements.</param>
    public static void Gather(ReadOnlySpan<byte> source, long offset, long[] shape, long[] strides, int elementSize, Span<byte> packed)
    {
        var rank = shape.Length;
        var index = new long[rank];
        var position = offset;
        var elements = packed.Length / elementSize;
        for (var target = 0; target < elements; target++)
        {
            source.Slice(checked((int)(position * elementSize)), elementSize).CopyTo(packed[(target * elementSize)..]);
            // C-order odometer: the last index runs fastest; the source position moves by each dimension's stride.
            for (var d = rank - 1; d >= 0; d--)
            {
                position += strides[d];
                if (++index[d] < shape[d]) break;
                position -= strides[d] * shape[d];
                index[d] = 0;
            }
        }
    }
}
