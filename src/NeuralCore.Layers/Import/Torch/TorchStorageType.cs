using System.Buffers.Binary;

namespace NeuralCore.Layers.Import.Torch;

/// <summary>
/// A typed storage class that torch.save names in its persistent ids (<c>torch.FloatStorage</c>, ...): the size of
/// one stored element and the <see cref="WeightDType"/> the reader gives it. Types our RawTensor lacks are widened
/// exactly: bfloat16 to float32, int8 and int16 to int32, bool to uint8 (0 or 1).
/// </summary>
public sealed record TorchStorageType(string Name, int ElementSize, WeightDType DType)
{
    /// <summary>Every storage type the reader accepts, by class name.</summary>
    public static IReadOnlyDictionary<string, TorchStorageType> Supported { get; } = new[]
    {
        new TorchStorageType("FloatStorage", 4, WeightDType.F32),
        new TorchStorageType("DoubleStorage", 8, WeightDType.F64),
        new TorchStorageType("HalfStorage", 2, WeightDType.F16),
        new TorchStorageType("BFloat16Storage", 2, WeightDType.F32),
        new TorchStorageType("LongStorage", 8, WeightDType.I64),
        new TorchStorageType("IntStorage", 4, WeightDType.I32),
        new TorchStorageType("ShortStorage", 2, WeightDType.I32),
        new TorchStorageType("CharStorage", 1, WeightDType.I32),
        new TorchStorageType("ByteStorage", 1, WeightDType.U8),
        new TorchStorageType("BoolStorage", 1, WeightDType.U8),
    }.ToDictionary(t => t.Name);

    /// <summary>True when elements are copied as stored; false when <see cref="Widen"/> converts them.</summary>
    public bool IsStoredAsIs => ElementSize == DType.SizeOf();

    /// <summary>Converts packed elements of this type (little-endian) to <see cref="DType"/>; returns them as they are when stored as is.</summary>
    public byte[] Widen(byte[] packed)
    {
        if (IsStoredAsIs) return packed;
        var count = packed.Length / ElementSize;
        var result = new byte[count * DType.SizeOf()];
        var target = result.AsSpan();
        for (var i = 0; i < count; i++)
        {
            switch (Name)
            {
                case "BFloat16Storage": // the high half of a float32
                    BinaryPrimitives.WriteUInt32LittleEndian(target[(i * 4)..], (uint)BinaryPrimitives.ReadUInt16LittleEndian(packed.AsSpan(i * 2)) << 16);
                    break;
                case "ShortStorage":
                    BinaryPrimitives.WriteInt32LittleEndian(target[(i * 4)..], BinaryPrimitives.ReadInt16LittleEndian(packed.AsSpan(i * 2)));
                    break;
                case "CharStorage":
                    BinaryPrimitives.WriteInt32LittleEndian(target[(i * 4)..], (sbyte)packed[i]);
                    break;
                default:
                    throw new InvalidOperationException($"no widening from {Name}");
            }
        }
        return result;
    }

    /// <summary>"Float, Double, ..." for messages.</summary>
    public static string SupportedText => string.Join(", ", Supported.Keys.Select(k => k.Replace("Storage", "")));
}
