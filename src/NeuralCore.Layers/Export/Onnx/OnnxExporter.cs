using System.Reflection;
using NeuralCore.Autograd;
using NeuralCore.Layers.Import;
using NeuralCore.Tensors;
using static NeuralCore.Layers.Export.Onnx.OnnxProto;

namespace NeuralCore.Layers.Export.Onnx;

/// <summary>What <see cref="OnnxExporter.Export"/> wrote.</summary>
/// <param name="OpCounts">How many nodes of each ONNX op type the graph has.</param>
public sealed record OnnxExportSummary(string Path, long Bytes, Shape Input, Shape Output, int Nodes, int Initializers,
    IReadOnlyDictionary<string, int> OpCounts)
{
    public override string ToString() =>
        $"{Path}: ONNX opset {OnnxProto.Opset}, input '{OnnxExporter.InputName}' [batch, {Input[1]}, {Input[2]}, {Input[3]}] NHWC -> " +
        $"'{OnnxExporter.OutputName}' [batch, {Output[1]}, {Output[2]}, {Output[3]}] NHWC; {Nodes} nodes " +
        $"({string.Join(", ", OpCounts.Select(kv => $"{kv.Value} {kv.Key}"))}), {Initializers} initializers, {Bytes:N0} bytes";
}

/// <summary>
/// Writes a network as an ONNX inference graph (opset 17). The network's wiring is taken from one traced forward
/// pass in inference mode (<see cref="ForwardTrace"/>) at the export size; each traced layer becomes nodes through
/// <see cref="OnnxLayerMap"/>. The graph's input <c>images</c> and output <c>logits</c> are NHWC like the engine
/// (a Transpose at each edge; NCHW inside, as ONNX convolutions want), the batch size is symbolic ("batch"), and
/// height and width are the export size (TensorFlow 'same' pads depend on them, and are written out explicitly).
/// The file is written to a temporary name and renamed, so a failed export leaves nothing behind.
/// </summary>
public static class OnnxExporter
{
    public const string InputName = "images";
    public const string OutputName = "logits";
    public const string BatchSymbol = "batch";

    /// <summary>Exports <paramref name="model"/> for [batch, <paramref name="height"/>, <paramref name="width"/>, <paramref name="channels"/>] inputs to <paramref name="path"/>.</summary>
    /// <param name="normalization">The input scaling recorded in the file's metadata (a segmentation model's own by default).</param>
    /// <exception cref="NotSupportedException">A layer has no ONNX mapping (the message names it); nothing is written.</exception>
    public static OnnxExportSummary Export(Module model, int height, int width, string path, int channels = 3, InputNormalization? normalization = null)
    {
        var (proto, input, output, graph) = Build(model, height, width, channels, normalization ?? (model as SegmentationModel)?.Normalization);
        AtomicFile.Write(path, proto.WriteTo);
        return new OnnxExportSummary(path, proto.Length, input, output, graph.Nodes.Count, graph.Initializers.Count, graph.OpCounts);
    }

    private static (ProtoMessage Model, Shape Input, Shape Output, OnnxGraphBuilder Graph) Build(Module model, int height, int width, int channels,
        InputNormalization? normalization)
    {
        var paths = LayerPaths(model);
        var (calls, output) = Trace(model, [1, height, width, channels]);
        var graph = new OnnxGraphBuilder();
        var values = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        string images = graph.Reserve(InputName), logits = graph.Reserve(OutputName);
        values[calls.Input] = graph.Node("Transpose", "images_nchw", [images], IntsAttribute("perm", [0, 3, 1, 2]));
        foreach (var call in Contributing(calls.Calls, output))
        {
            // A layer the forward pass uses without holding it as a child has no path; its own name will do.
            var path = paths.GetValueOrDefault(call.Layer) ?? call.Layer.Name;
            var inputs = Array.ConvertAll(call.Inputs, t => values.TryGetValue(t, out var name) ? name : throw new NotSupportedException(
                $"ONNX export: layer '{path}' ({call.Layer.GetType().Name}) consumes a tensor that no exportable layer produced " +
                "(it was computed in a composite module's own forward code, which the export cannot see)"));
            values[call.Output] = OnnxLayerMap.Map(graph, new OnnxLayerCall(call, inputs, path));
        }
        if (!values.TryGetValue(output, out var last))
            throw new NotSupportedException($"ONNX export: the output of '{model.Name}' was not produced by any exportable layer");
        var outputShape = output.Shape;
        if (outputShape.Rank != 4)
            throw new NotSupportedException($"ONNX export: the output of '{model.Name}' is {outputShape}; the graph is laid out for [N, H, W, C] images");
        graph.NodeInto("Transpose", logits, [last], IntsAttribute("perm", [0, 2, 3, 1]));
        var proto = OnnxProto.Model(
            OnnxProto.Graph(model.Name, graph.Nodes, graph.Initializers,
                [FloatValueInfo(InputName, [BatchSymbol, height, width, channels], "images [batch, height, width, channels] (NHWC), scaled as the model was trained")],
                [FloatValueInfo(OutputName, [BatchSymbol, outputShape[1], outputShape[2], outputShape[3]], "logits [batch, height, width, classes] (NHWC); softmax not applied")]),
            "NeuralCore", typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            $"{model.Name}: inference graph exported by NeuralCore (NHWC input and output, BatchNorm in inference form, dropout removed)",
            Metadata(model, normalization));
        return (proto, [1, height, width, channels], outputShape, graph);
    }

    /// <summary>Every layer's path below the model (<c>encoder/block_1/block_1_expand</c>); unsupported leaves are refused here, before any work.</summary>
    private static Dictionary<Module, string> LayerPaths(Module model)
    {
        var paths = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
        string prefix = model.Name + "/";
        foreach (var (path, module) in model.Modules())
        {
            var relative = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : path;
            if (module.Children.Count == 0 && !OnnxLayerMap.Supports(module))
                throw new NotSupportedException(OnnxLayerMap.UnsupportedMessage(module, relative));
            paths[module] = relative;
        }
        return paths;
    }

    private sealed record TraceResult(Tensor Input, IReadOnlyList<TracedCall> Calls);

    /// <summary>One inference-mode forward pass on zeros, recording every layer call (the model's training flag is restored).</summary>
    private static (TraceResult Calls, Tensor Output) Trace(Module model, Shape input)
    {
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var scope = TensorScope.Begin();
            using var noGrad = GradMode.NoGrad();
            var x = Tensor.Zeros(input);
            using var trace = ForwardTrace.Begin();
            var y = model.Forward(x);
            return (new TraceResult(x, trace.Calls), y);
        }
        finally
        {
            if (wasTraining) model.Train();
        }
    }

    /// <summary>The calls the output depends on, in execution order (a tapped encoder may compute more than the decoder uses).</summary>
    private static List<TracedCall> Contributing(IReadOnlyList<TracedCall> calls, Tensor output)
    {
        var needed = new HashSet<Tensor>(ReferenceEqualityComparer.Instance) { output };
        var kept = new List<TracedCall>();
        for (int i = calls.Count - 1; i >= 0; i--)
        {
            if (!needed.Contains(calls[i].Output)) continue;
            kept.Add(calls[i]);
            foreach (var t in calls[i].Inputs) needed.Add(t);
        }
        kept.Reverse();
        return kept;
    }

    private static IEnumerable<KeyValuePair<string, string>> Metadata(Module model, InputNormalization? normalization)
    {
        yield return new("layout", "NHWC input and output");
        if (model is SegmentationModel segmentation) yield return new("classes", segmentation.Classes.ToString());
        if (normalization is not null) yield return new("input_normalization", normalization.Value.ToString());
    }
}
