namespace NeuralCore.Layers.Export.Onnx;

/// <summary>
/// Collects the nodes and initializers of one ONNX graph as the layers are mapped, in topological order (the
/// order they are added). Every value gets a unique name; shared constants (the bounds of ReLU6's Clip) are
/// added once.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly List<ProtoMessage> _nodes = new();
    private readonly List<ProtoMessage> _initializers = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);

    public IReadOnlyList<ProtoMessage> Nodes => _nodes;

    public IReadOnlyList<ProtoMessage> Initializers => _initializers;

    /// <summary>Counts of each op type written, for the export summary.</summary>
    public SortedDictionary<string, int> OpCounts { get; } = new(StringComparer.Ordinal);

    /// <summary>Reserves a graph value name (the graph's input and output), so no node takes it by chance.</summary>
    public string Reserve(string name) => _names.Add(name) ? name : throw new InvalidOperationException($"ONNX value name '{name}' is taken");

    /// <summary>Adds node <paramref name="opType"/> with one output named after <paramref name="name"/>; returns the output's name.</summary>
    public string Node(string opType, string name, IEnumerable<string> inputs, params ProtoMessage[] attributes) =>
        NodeInto(opType, Unique(name), inputs, attributes);

    /// <summary>Adds a node whose output is <paramref name="output"/>, a name taken with <see cref="Reserve"/> (the graph output).</summary>
    public string NodeInto(string opType, string output, IEnumerable<string> inputs, params ProtoMessage[] attributes)
    {
        if (!_names.Contains(output)) throw new InvalidOperationException($"ONNX value name '{output}' was not reserved");
        _nodes.Add(OnnxProto.Node(opType, output, inputs, [output], attributes));
        OpCounts[opType] = OpCounts.GetValueOrDefault(opType) + 1;
        return output;
    }

    public string FloatInitializer(string name, long[] dims, float[] data)
    {
        if (data.Length != dims.Aggregate(1L, (a, b) => a * b))
            throw new ArgumentException($"ONNX initializer '{name}': {data.Length} values do not fill dims [{string.Join(", ", dims)}]");
        var unique = Unique(name);
        _initializers.Add(OnnxProto.FloatTensor(unique, dims, data));
        return unique;
    }

    public string Int64Initializer(string name, long[] data)
    {
        var unique = Unique(name);
        _initializers.Add(OnnxProto.Int64Tensor(unique, [data.Length], data));
        return unique;
    }

    /// <summary>A float scalar shared by every node that needs the same value under the same name.</summary>
    public string FloatScalar(string name, float value)
    {
        if (_constants.TryGetValue(name, out var existing)) return existing;
        var unique = Unique(name);
        _initializers.Add(OnnxProto.FloatTensor(unique, [], [value]));
        return _constants[name] = unique;
    }

    private string Unique(string name)
    {
        var candidate = name;
        for (int i = 1; !_names.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }
}
