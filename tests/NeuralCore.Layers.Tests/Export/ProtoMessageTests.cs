using NeuralCore.Layers.Export.Onnx;

namespace NeuralCore.Layers.Tests.Export;

/// <summary>The protobuf wire encoding, checked against worked examples of the encoding rules.</summary>
public class ProtoMessageTests
{
    [Fact]
    public void VarintFieldIsTagThenSevenBitGroupsLowFirst()
    {
        // Field 1, wire type 0: tag 0x08; 150 = 0b1_0010110 -> 0x96 0x01.
        Assert.Equal(new byte[] { 0x08, 0x96, 0x01 }, new ProtoMessage().Varint(1, 150).ToArray());
    }

    [Fact]
    public void NegativeVarintTakesTenBytes()
    {
        var bytes = new ProtoMessage().Varint(2, -1).ToArray();
        Assert.Equal(11, bytes.Length);
        Assert.Equal(0x10, bytes[0]);
        Assert.All(bytes[1..10], b => Assert.Equal(0xFF, b));
        Assert.Equal(0x01, bytes[10]);
    }

    [Fact]
    public void StringsAndNestedMessagesAreLengthDelimited()
    {
        var inner = new ProtoMessage().String(2, "testing");
        var outer = new ProtoMessage().Message(3, inner).Float(4, 1f);
        byte[] expected = [0x1A, 0x09, 0x12, 0x07, .. "testing"u8.ToArray(), 0x25, 0x00, 0x00, 0x80, 0x3F];
        Assert.Equal(expected, outer.ToArray());
        Assert.Equal(expected.Length, outer.Length);
    }

    [Fact]
    public void AMessageCannotGrowOnceItsLengthIsKnown()
    {
        var message = new ProtoMessage().Varint(1, 1);
        _ = message.Length;
        Assert.Throws<InvalidOperationException>(() => message.Varint(2, 2));
    }
}
