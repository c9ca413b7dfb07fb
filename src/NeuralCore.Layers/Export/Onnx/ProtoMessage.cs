using System.Buffers.Binary;
using System.Text;

namespace NeuralCore.Layers.Export.Onnx;

/// <summary>
/// One protocol-buffers message in wire format, built by appending fields in order: varints (int32, int64, enums),
/// 32-bit floats, and length-delimited fields (strings, bytes, nested messages). Nested messages stay objects until
/// <see cref="WriteTo"/>, so a graph holding hundreds of megabytes of weights is written once, never copied into
/// parent buffers. Repeated fields are simply the same field number appended again (proto2's unpacked form,
/// which every parser accepts). Only what the ONNX writer needs; the encoding follows the protobuf wire-format spec.
/// </summary>
internal sealed class ProtoMessage
{
    private const int WireVarint = 0, WireFixed32 = 5, WireLengthDelimited = 2;

    private readonly List<Field> _fields = new();
    private long _length = -1;

    private readonly record struct Field(int Tag, long Number, ReadOnlyMemory<byte> Bytes, ProtoMessage? Message);

    /// <summary>An int32/int64/enum/bool field. A negative value takes ten bytes (two's complement), as protobuf says.</summary>
    public ProtoMessage Varint(int field, long value) => Append(new Field(Tag(field, WireVarint), value, default, null));

    public ProtoMessage Float(int field, float value) =>
        Append(new Field(Tag(field, WireFixed32), BitConverter.SingleToInt32Bits(value), default, null));

    public ProtoMessage Bytes(int field, ReadOnlyMemory<byte> value) => Append(new Field(Tag(field, WireLengthDelimited), 0, value, null));

    public ProtoMessage String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoMessage Message(int field, ProtoMessage value) => Append(new Field(Tag(field, WireLengthDelimited), 0, default, value));

    /// <summary>The encoded size in bytes (computed once the message is complete; appending afterwards is an error).</summary>
    public long Length
    {
        get
        {
            if (_length >= 0) return _length;
            long total = 0;
            foreach (var f in _fields)
            {
                total += VarintSize((uint)f.Tag);
                total += (f.Tag & 7) switch
                {
                    WireVarint => VarintSize((ulong)f.Number),
                    WireFixed32 => 4,
                    _ => PayloadLength(f) + VarintSize((ulong)PayloadLength(f)),
                };
            }
            return _length = total;
        }
    }

    public void WriteTo(Stream stream)
    {
        Span<byte> scratch = stackalloc byte[10];
        foreach (var f in _fields)
        {
            stream.Write(scratch[..EncodeVarint((uint)f.Tag, scratch)]);
            switch (f.Tag & 7)
            {
                case WireVarint:
                    stream.Write(scratch[..EncodeVarint((ulong)f.Number, scratch)]);
                    break;
                case WireFixed32:
                    BinaryPrimitives.WriteInt32LittleEndian(scratch, (int)f.Number);
                    stream.Write(scratch[..4]);
                    break;
                default:
                    stream.Write(scratch[..EncodeVarint((ulong)PayloadLength(f), scratch)]);
                    if (f.Message is null) stream.Write(f.Bytes.Span);
                    else f.Message.WriteTo(stream);
                    break;
            }
        }
    }

    /// <summary>The whole message as bytes (small messages and tests).</summary>
    public byte[] ToArray()
    {
        using var buffer = new MemoryStream(checked((int)Length));
        WriteTo(buffer);
        return buffer.ToArray();
    }

    internal static int EncodeVarint(ulong value, Span<byte> destination)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    private static int VarintSize(ulong value)
    {
        int size = 1;
        while (value >= 0x80) { value >>= 7; size++; }
        return size;
    }

    private static long PayloadLength(Field f) => f.Message?.Length ?? f.Bytes.Length;

    private static int Tag(int field, int wireType) =>
        field is > 0 and < (1 << 29) ? (field << 3) | wireType : throw new ArgumentOutOfRangeException(nameof(field), $"protobuf field number {field} is out of range");

    private ProtoMessage Append(Field field)
    {
        if (_length >= 0) throw new InvalidOperationException("a protobuf message cannot grow after its length was taken");
        _fields.Add(field);
        return this;
    }
}
