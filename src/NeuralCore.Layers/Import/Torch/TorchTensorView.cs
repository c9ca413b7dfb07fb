namespace NeuralCore.Layers.Import.Torch;

/// <summary>
/// Copies a tensor out of its storage into C order: any offset and non-negative strides (views, transposes,
/// channels-last, stride-0 broadcasts), checked against the storage's length first.
/// </summary>
internal static class TorchTensorView
{
    /// <param name="storage">The storage's bytes, <see cref="TorchStorageRef.ElementCount"/> elements long.</param>
    public static RawTensor Materialize(string name, TorchTensorRef tensor, ReadOnlySpan<byte> storage)
    {
        var type = tensor.Storage.Type;
        var size = type.ElementSize;
        var count = CheckBounds(name, tensor);
        var packed = new byte[checked(count * size)];
        if (count > 0)
        {
            if (IsContiguous(tensor.Shape, tensor.Stride))
                storage.Slice(checked((int)(tensor.Offset * size)), packed.Length).CopyTo(packed);
            else
                StridedCopy.Gather(storage, tensor.Offset, tensor.Shape, tensor.Stride, size, packed);
        }
        return new RawTensor(name, type.DType, tensor.Shape, type.Widen(packed));
    }

    private static long CheckBounds(string name, TorchTensorRef tensor)
    {
        long count = 1, last = tensor.Offset;
        for (var d = 0; d < tensor.Shape.Length; d++)
        {
            if (tensor.Shape[d] < 0 || tensor.Stride[d] < 0)
                throw new InvalidDataException($"tensor '{name}': negative size or stride ({Text(tensor.Shape)} / {Text(tensor.Stride)})");
            count = checked(count * tensor.Shape[d]);
            if (tensor.Shape[d] > 0) last = checked(last + (tensor.Shape[d] - 1) * tensor.Stride[d]);
        }
        if (tensor.Offset < 0 || (count > 0 && last >= tensor.Storage.ElementCount))
            throw new InvalidDataException(
                $"tensor '{name}': view at offset {tensor.Offset} with size {Text(tensor.Shape)} and stride {Text(tensor.Stride)} " +
                $"reaches element {last}, past storage '{tensor.Storage.Key}' of {tensor.Storage.ElementCount} elements");
        if (count * tensor.Storage.Type.DType.SizeOf() > Array.MaxLength)
            throw new NotSupportedException($"tensor '{name}': {count} elements exceed the 2 GB limit of one tensor");
        return count;
    }

    private static bool IsContiguous(long[] shape, long[] stride)
    {
        long expected = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && stride[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    private static string Text(long[] values) => "[" + string.Join(", ", values) + "]";
}
