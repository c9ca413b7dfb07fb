using System.Runtime.InteropServices;

namespace NeuralCore.Layers.Import.Torch;

/// <summary>Copies a strided view (offset and strides in elements) into a packed C-order buffer.</summary>
internal static class StridedCopy
{
    /// <param name="source">Elements of <paramref name="elementSize"/> bytes; the caller has checked the view's bounds.</param>
    /// <param name="packed">Receives the product of <paramref name="shape"/> elements.</param>
    public static void Gather(ReadOnlySpan<byte> source, long offset, long[] shape, long[] strides, int elementSize, Span<byte> packed)
    {
        // Moving whole elements as integers of their size (not byte runs) is what makes a 60 MB VGG16 load fast.
        switch (elementSize)
        {
            case 1: Gather(source, offset, shape, strides, packed); break;
            case 2: Gather(MemoryMarshal.Cast<byte, ushort>(source), offset, shape, strides, MemoryMarshal.Cast<byte, ushort>(packed)); break;
            case 4: Gather(MemoryMarshal.Cast<byte, uint>(source), offset, shape, strides, MemoryMarshal.Cast<byte, uint>(packed)); break;
            case 8: Gather(MemoryMarshal.Cast<byte, ulong>(source), offset, shape, strides, MemoryMarshal.Cast<byte, ulong>(packed)); break;
            default: throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, "element size must be 1, 2, 4 or 8 bytes");
        }
    }

    private static void Gather<T>(ReadOnlySpan<T> source, long offset, long[] shape, long[] strides, Span<T> packed)
    {
        if (packed.IsEmpty) return;
        var rank = shape.Length;
        if (rank == 0) { packed[0] = source[checked((int)offset)]; return; }
        var index = new long[rank];
        var inner = (int)shape[rank - 1];
        var innerStride = strides[rank - 1];
        var position = offset;
        for (var row = 0; row < packed.Length; row += inner)
        {
            var target = packed.Slice(row, inner);
            for (var i = 0; i < inner; i++) target[i] = source[(int)(position + i * innerStride)];
            // C-order odometer over the outer dimensions; the source position moves by each dimension's stride.
            for (var d = rank - 2; d >= 0; d--)
            {
                position += strides[d];
                if (++index[d] < shape[d]) break;
                position -= strides[d] * shape[d];
                index[d] = 0;
            }
        }
    }
}
