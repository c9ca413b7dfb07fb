using System.Collections;
using System.Runtime.InteropServices;
using NeuralCore.Layers.Import;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Checkpoints;

/// <summary>
/// The tensors of a checkpoint as the safetensors writer sees them, copied to bytes one at a time as they are
/// written, so saving never holds a second copy of the whole model and optimizer state. The writer enumerates twice
/// (header, then data); a tensor whose size changed in between is refused rather than written inconsistently.
/// </summary>
internal sealed class CheckpointTensors(Func<IEnumerable<(string Name, Tensor Tensor)>> entries, int count) : IReadOnlyList<RawTensor>
{
    private readonly Dictionary<string, long> _byteLengths = new(StringComparer.Ordinal);

    public int Count => count;

    public RawTensor this[int index] => Convert(entries().ElementAt(index));

    public IEnumerator<RawTensor> GetEnumerator() => entries().Select(Convert).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private RawTensor Convert((string Name, Tensor Tensor) entry)
    {
        var raw = TensorBytes.ToRaw(entry.Name, entry.Tensor);
        if (_byteLengths.TryGetValue(entry.Name, out var length) && length != raw.Data.LongLength)
            throw new InvalidOperationException($"checkpoint: tensor '{entry.Name}' changed size from {length} to {raw.Data.LongLength} bytes while it was being written");
        _byteLengths[entry.Name] = raw.Data.LongLength;
        return raw;
    }
}

/// <summary>Exact byte copies between engine tensors (CPU) and <see cref="RawTensor"/>.</summary>
internal static class TensorBytes
{
    public static WeightDType ToWeightDType(DType dtype) => dtype switch
    {
        DType.Float32 => WeightDType.F32,
        DType.Float64 => WeightDType.F64,
        DType.Int32 => WeightDType.I32,
        DType.UInt8 => WeightDType.U8,
        _ => throw new NotSupportedException($"dtype {dtype.Name()} cannot be stored"),
    };

    public static DType? ToDType(WeightDType dtype) => dtype switch
    {
        WeightDType.F32 => DType.Float32,
        WeightDType.F64 => DType.Float64,
        WeightDType.I32 => DType.Int32,
        WeightDType.U8 => DType.UInt8,
        _ => null,
    };

    public static RawTensor ToRaw(string name, Tensor tensor)
    {
        using var contiguous = tensor.To(Device.Cpu).Contiguous();
        var bytes = contiguous.DType switch
        {
            DType.Float32 => MemoryMarshal.AsBytes(contiguous.Span<float>()).ToArray(),
            DType.Float64 => MemoryMarshal.AsBytes(contiguous.Span<double>()).ToArray(),
            DType.Int32 => MemoryMarshal.AsBytes(contiguous.Span<int>()).ToArray(),
            _ => contiguous.Span<byte>().ToArray(),
        };
        return new RawTensor(name, ToWeightDType(tensor.DType), tensor.Shape.Select(d => (long)d).ToArray(), bytes);
    }

    /// <summary>A new persistent CPU tensor holding <paramref name="raw"/>'s bytes; its dtype must be storable.</summary>
    public static Tensor FromRaw(RawTensor raw, DType dtype)
    {
        Tensor tensor;
        using (TensorScope.Persistent()) tensor = Tensor.Empty(new Shape(raw.Shape.Select(d => checked((int)d)).ToArray()), dtype);
        raw.Data.CopyTo(dtype switch
        {
            DType.Float32 => MemoryMarshal.AsBytes(tensor.Span<float>()),
            DType.Float64 => MemoryMarshal.AsBytes(tensor.Span<double>()),
            DType.Int32 => MemoryMarshal.AsBytes(tensor.Span<int>()),
            _ => tensor.Span<byte>(),
        });
        tensor.Name = raw.Name;
        return tensor;
    }
}
