using System.Runtime.InteropServices;

namespace NeuralCore.Layers.Export.Onnx;

/// <summary>
/// The ONNX messages the exporter writes (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
/// ValueInfoProto and the types inside it), as <see cref="ProtoMessage"/>s with onnx.proto's field numbers.
/// Only the fields an inference graph of float tensors needs are here.
/// </summary>
internal static class OnnxProto
{
    /// <summary>IR version 8 is the one that goes with opset 17 (ONNX 1.12).</summary>
    public const long IrVersion = 8;

    public const long Opset = 17;

    /// <summary>TensorProto.DataType values.</summary>
    public const int Float = 1, Int64 = 7;

    /// <summary>AttributeProto.AttributeType values.</summary>
    private const int AttrFloat = 1, AttrInt = 2, AttrString = 3, AttrInts = 7;

    public static ProtoMessage Model(ProtoMessage graph, string producer, string producerVersion, string docString,
        IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var model = new ProtoMessage()
            .Varint(1, IrVersion)                      // ir_version
            .String(2, producer)                       // producer_name
            .String(3, producerVersion)                // producer_version
            .String(6, docString)                      // doc_string
            .Message(7, graph)                         // graph
            .Message(8, new ProtoMessage()             // opset_import: the default ("ai.onnx") domain
                .String(1, "")
                .Varint(2, Opset));
        foreach (var (key, value) in metadata)
            model.Message(14, new ProtoMessage().String(1, key).String(2, value)); // metadata_props
        return model;
    }

    public static ProtoMessage Graph(string name, IEnumerable<ProtoMessage> nodes, IEnumerable<ProtoMessage> initializers,
        IEnumerable<ProtoMessage> inputs, IEnumerable<ProtoMessage> outputs)
    {
        var graph = new ProtoMessage();
        foreach (var node in nodes) graph.Message(1, node);
        graph.String(2, name);
        foreach (var tensor in initializers) graph.Message(5, tensor);
        foreach (var input in inputs) graph.Message(11, input);
        foreach (var output in outputs) graph.Message(12, output);
        return graph;
    }

    public static ProtoMessage Node(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs,
        IEnumerable<ProtoMessage> attributes)
    {
        var node = new ProtoMessage();
        foreach (var input in inputs) node.String(1, input);
        foreach (var output in outputs) node.String(2, output);
        node.String(3, name).String(4, opType);
        foreach (var attribute in attributes) node.Message(5, attribute);
        return node;
    }

    public static ProtoMessage IntAttribute(string name, long value) =>
        new ProtoMessage().String(1, name).Varint(3, value).Varint(20, AttrInt);

    public static ProtoMessage FloatAttribute(string name, float value) =>
        new ProtoMessage().String(1, name).Float(2, value).Varint(20, AttrFloat);

    public static ProtoMessage StringAttribute(string name, string value) =>
        new ProtoMessage().String(1, name).String(4, value).Varint(20, AttrString);

    public static ProtoMessage IntsAttribute(string name, IEnumerable<long> values)
    {
        var attribute = new ProtoMessage().String(1, name);
        foreach (var v in values) attribute.Varint(8, v);
        return attribute.Varint(20, AttrInts);
    }

    /// <summary>A float32 tensor, its elements little-endian in raw_data (what ONNX expects of raw_data on any host).</summary>
    public static ProtoMessage FloatTensor(string name, IReadOnlyList<long> dims, float[] data)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian; this writer runs on little-endian hosts");
        return Tensor(name, dims, Float, MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
    }

    public static ProtoMessage Int64Tensor(string name, IReadOnlyList<long> dims, long[] data)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian; this writer runs on little-endian hosts");
        return Tensor(name, dims, Int64, MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
    }

    private static ProtoMessage Tensor(string name, IReadOnlyList<long> dims, int dataType, byte[] raw)
    {
        var tensor = new ProtoMessage();
        foreach (var d in dims) tensor.Varint(1, d); // dims
        return tensor.Varint(2, dataType).String(8, name).Bytes(9, raw); // data_type, name, raw_data
    }

    /// <summary>
    /// A graph input or output: a float tensor whose dimensions are sizes, or, where <paramref name="dims"/> holds a
    /// name, a symbolic size (dim_param) that may differ from run to run (the batch).
    /// </summary>
    public static ProtoMessage FloatValueInfo(string name, IEnumerable<object> dims, string docString)
    {
        var shape = new ProtoMessage();
        foreach (var d in dims)
            shape.Message(1, d switch // dim: dim_value (1) or dim_param (2)
            {
                int size => new ProtoMessage().Varint(1, size),
                string symbol => new ProtoMessage().String(2, symbol),
                _ => throw new ArgumentException($"a dimension is a size or a symbol, got {d}"),
            });
        var tensorType = new ProtoMessage().Varint(1, Float).Message(2, shape); // elem_type, shape
        var type = new ProtoMessage().Message(1, tensorType);                  // TypeProto.tensor_type
        return new ProtoMessage().String(1, name).Message(2, type).String(3, docString);
    }
}
