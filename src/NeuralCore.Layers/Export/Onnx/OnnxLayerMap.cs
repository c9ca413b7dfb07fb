using NeuralCore.Kernels;
using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;
using static NeuralCore.Layers.Export.Onnx.OnnxProto;

namespace NeuralCore.Layers.Export.Onnx;

/// <summary>One traced layer call as the mapping sees it: the ONNX names of its inputs and the name its nodes take.</summary>
internal readonly record struct OnnxLayerCall(TracedCall Call, string[] Inputs, string Name)
{
    /// <summary>The shape [N, H, W, C] (our layout) of input <paramref name="i"/> at the traced call.</summary>
    public Shape InputShape(int i = 0) => Call.InputShapes[i];
}

/// <summary>
/// The one place each layer type becomes ONNX nodes. Inside the graph every activation is NCHW (ONNX's
/// convolution layout); the exporter transposes at the graph's edges. Kernels are re-laid out once
/// (<see cref="OnnxKernelLayout"/>); TensorFlow's 'same' padding, whose extra row goes bottom/right, is resolved for
/// the traced input size into explicit <c>pads</c>, so ONNX never guesses; BatchNorm stays a BatchNormalization
/// node (inference form, which ONNX Runtime folds into the preceding convolution where there is one). A layer
/// type missing here cannot be exported, and the error names the layer.
/// </summary>
internal static class OnnxLayerMap
{
    private delegate string Mapping(OnnxGraphBuilder graph, OnnxLayerCall call);

    private static readonly Dictionary<Type, Mapping> Mappings = new()
    {
        [typeof(Conv2d)] = (g, c) => MapConv2d(g, c, (Conv2d)c.Call.Layer),
        [typeof(DepthwiseConv2d)] = (g, c) => MapDepthwiseConv2d(g, c, (DepthwiseConv2d)c.Call.Layer),
        [typeof(ConvTranspose2d)] = (g, c) => MapConvTranspose2d(g, c, (ConvTranspose2d)c.Call.Layer),
        [typeof(BatchNorm2d)] = (g, c) => BatchNorm(g, c, (BatchNorm2d)c.Call.Layer),
        [typeof(ReLU)] = (g, c) => Activate(g, c.Inputs[0], c.Name, Activation.Relu),
        [typeof(ReLU6)] = (g, c) => Activate(g, c.Inputs[0], c.Name, Activation.Relu6),
        [typeof(LeakyReLU)] = (g, c) => g.Node("LeakyRelu", c.Name, c.Inputs, FloatAttribute("alpha", (float)((LeakyReLU)c.Call.Layer).Alpha)),
        [typeof(ZeroPadding2d)] = (g, c) => ZeroPad(g, c, ((ZeroPadding2d)c.Call.Layer).PaddingFor(c.InputShape())),
        [typeof(MaxPool2d)] = (g, c) => Pool(g, c, "MaxPool", ((MaxPool2d)c.Call.Layer).AttrsFor(c.InputShape())),
        [typeof(AvgPool2d)] = (g, c) => Pool(g, c, "AveragePool", ((AvgPool2d)c.Call.Layer).AttrsFor(c.InputShape()),
            IntAttribute("count_include_pad", 0)), // TF averages over the cells inside the input only
        [typeof(UpSampling2d)] = (g, c) => Upsample(g, c, ((UpSampling2d)c.Call.Layer).Attrs),
        [typeof(Concatenate)] = (g, c) => g.Node("Concat", c.Name, c.Inputs,
            IntAttribute("axis", NchwAxis(((Concatenate)c.Call.Layer).Axis, c.InputShape().Rank))),
        [typeof(Add)] = (g, c) => g.Node("Sum", c.Name, c.Inputs),
        // Inference graph: dropout is the identity, so the layer's output is its input and no node is written.
        [typeof(Dropout)] = (_, c) => c.Inputs[0],
    };

    /// <summary>The layer types that can be exported, for error messages.</summary>
    public static IEnumerable<string> SupportedTypes => Mappings.Keys.Select(t => t.Name).Order(StringComparer.Ordinal);

    public static bool Supports(Module layer) => Mappings.ContainsKey(layer.GetType());

    /// <summary>Adds the call's nodes to <paramref name="graph"/> and returns the name of the value holding its output (NCHW).</summary>
    public static string Map(OnnxGraphBuilder graph, OnnxLayerCall call) =>
        Mappings.TryGetValue(call.Call.Layer.GetType(), out var mapping)
            ? mapping(graph, call)
            : throw new NotSupportedException(UnsupportedMessage(call.Call.Layer, call.Name));

    public static string UnsupportedMessage(Module layer, string path) =>
        $"ONNX export: layer '{path}' ({layer.GetType().Name}) has no ONNX mapping; exportable layers: {string.Join(", ", SupportedTypes)}";

    private static string MapConv2d(OnnxGraphBuilder g, OnnxLayerCall c, Conv2d layer)
    {
        var y = Conv(g, c, layer.Kernel, layer.Bias, layer.Attrs);
        return layer.Activation == Activation.Identity ? y : Activate(g, y, c.Name + "/" + layer.Activation.ToString().ToLowerInvariant(), layer.Activation);
    }

    private static string MapDepthwiseConv2d(OnnxGraphBuilder g, OnnxLayerCall c, DepthwiseConv2d layer) =>
        Conv(g, c, layer.Kernel, layer.Bias, layer.Attrs);

    /// <summary>Conv with the kernel as OIHW, TF padding resolved for the traced size, groups as given (depthwise: groups = C).</summary>
    private static string Conv(OnnxGraphBuilder g, OnnxLayerCall c, Tensor kernel, Tensor? bias, Conv2dAttrs attrs)
    {
        var kernelSize = new Size2d(kernel.Shape[0], kernel.Shape[1]);
        var pads = attrs.Padding.Resolve("conv2d", c.InputShape(), kernelSize, attrs.Stride, attrs.Dilation);
        var (dims, data) = OnnxKernelLayout.ToOnnx(kernel);
        var inputs = new List<string> { c.Inputs[0], g.FloatInitializer(c.Name + "/W", dims, data) };
        if (bias is not null) inputs.Add(g.FloatInitializer(c.Name + "/B", [bias.Shape[0]], bias.ToArray<float>()));
        return g.Node("Conv", c.Name, inputs,
            IntsAttribute("kernel_shape", [kernelSize.H, kernelSize.W]),
            IntsAttribute("strides", [attrs.Stride.H, attrs.Stride.W]),
            IntsAttribute("dilations", [attrs.Dilation.H, attrs.Dilation.W]),
            IntsAttribute("pads", [pads.Top, pads.Left, pads.Bottom, pads.Right]),
            IntAttribute("group", attrs.Groups));
    }

    /// <summary>
    /// ConvTranspose with our crop semantics (<see cref="Padding2d.ResolveTransposed"/>): the rows cropped from the
    /// full output become <c>pads</c>; a negative crop at the end (zeros appended past the last input's reach,
    /// 'same' with a kernel smaller than the stride) becomes <c>output_padding</c>.
    /// </summary>
    private static string MapConvTranspose2d(OnnxGraphBuilder g, OnnxLayerCall c, ConvTranspose2d layer)
    {
        var attrs = layer.Attrs;
        var kernelSize = new Size2d(layer.Kernel.Shape[0], layer.Kernel.Shape[1]);
        var crop = attrs.Padding.ResolveTransposed("conv_transpose2d", c.InputShape(), kernelSize, attrs.Stride, attrs.Dilation, attrs.OutputPadding);
        var (dims, data) = OnnxKernelLayout.ToOnnx(layer.Kernel);
        var inputs = new List<string> { c.Inputs[0], g.FloatInitializer(c.Name + "/W", dims, data) };
        if (layer.Bias is not null) inputs.Add(g.FloatInitializer(c.Name + "/B", [layer.Bias.Shape[0]], layer.Bias.ToArray<float>()));
        return g.Node("ConvTranspose", c.Name, inputs,
            IntsAttribute("kernel_shape", [kernelSize.H, kernelSize.W]),
            IntsAttribute("strides", [attrs.Stride.H, attrs.Stride.W]),
            IntsAttribute("dilations", [attrs.Dilation.H, attrs.Dilation.W]),
            IntsAttribute("pads", [crop.Top, crop.Left, Math.Max(crop.Bottom, 0), Math.Max(crop.Right, 0)]),
            IntsAttribute("output_padding", [Math.Max(-crop.Bottom, 0), Math.Max(-crop.Right, 0)]));
    }

    private static string BatchNorm(OnnxGraphBuilder g, OnnxLayerCall c, BatchNorm2d bn)
    {
        long[] dims = [bn.Gamma.Shape[0]];
        return g.Node("BatchNormalization", c.Name,
            [c.Inputs[0],
                g.FloatInitializer(c.Name + "/gamma", dims, bn.Gamma.ToArray<float>()),
                g.FloatInitializer(c.Name + "/beta", dims, bn.Beta.ToArray<float>()),
                g.FloatInitializer(c.Name + "/moving_mean", dims, bn.MovingMean.ToArray<float>()),
                g.FloatInitializer(c.Name + "/moving_variance", dims, bn.MovingVariance.ToArray<float>())],
            FloatAttribute("epsilon", (float)bn.Epsilon));
    }

    /// <summary>The pointwise activations, shared by the activation layers and Conv2D's fused <c>activation=</c>.</summary>
    private static string Activate(OnnxGraphBuilder g, string x, string name, Activation activation) => activation switch
    {
        Activation.Relu => g.Node("Relu", name, [x]),
        Activation.Relu6 => g.Node("Clip", name, [x, g.FloatScalar("relu6_min", 0f), g.FloatScalar("relu6_max", 6f)]),
        Activation.Sigmoid => g.Node("Sigmoid", name, [x]),
        Activation.Tanh => g.Node("Tanh", name, [x]),
        _ => throw new NotSupportedException($"ONNX export: activation {activation} of '{name}' has no ONNX mapping"),
    };

    /// <summary>Pad's pads input lists all begins, then all ends, over NCHW.</summary>
    private static string ZeroPad(OnnxGraphBuilder g, OnnxLayerCall c, ZeroPadAttrs p) =>
        g.Node("Pad", c.Name, [c.Inputs[0], g.Int64Initializer(c.Name + "/pads", [0, 0, p.Top, p.Left, 0, 0, p.Bottom, p.Right])],
            StringAttribute("mode", "constant"));

    private static string Pool(OnnxGraphBuilder g, OnnxLayerCall c, string opType, Pool2dAttrs p, params ProtoMessage[] extra) =>
        g.Node(opType, c.Name, c.Inputs,
        [
            IntsAttribute("kernel_shape", [p.KernelH, p.KernelW]),
            IntsAttribute("strides", [p.StrideH, p.StrideW]),
            IntsAttribute("pads", [p.PadTop, p.PadLeft, p.PadBottom, p.PadRight]),
            .. extra,
        ]);

    /// <summary>
    /// Resize by the integer scales: nearest copies the cell an output falls in (asymmetric coordinates, floor);
    /// bilinear samples at (o + 0.5) / scale - 0.5 clamped to the edge (half_pixel), as our upsample does.
    /// </summary>
    private static string Upsample(OnnxGraphBuilder g, OnnxLayerCall c, UpsampleAttrs attrs)
    {
        var scales = g.FloatInitializer(c.Name + "/scales", [4], [1f, 1f, attrs.ScaleH, attrs.ScaleW]);
        ProtoMessage[] mode = attrs.Mode == UpsampleMode.Nearest
            ? [StringAttribute("mode", "nearest"), StringAttribute("coordinate_transformation_mode", "asymmetric"), StringAttribute("nearest_mode", "floor")]
            : [StringAttribute("mode", "linear"), StringAttribute("coordinate_transformation_mode", "half_pixel")];
        return g.Node("Resize", c.Name, [c.Inputs[0], "", scales], mode); // no roi: the empty name skips an optional input
    }

    /// <summary>An axis of our NHWC tensors as the axis of the same data in NCHW (channels move from last to 1).</summary>
    private static long NchwAxis(int axis, int rank)
    {
        if (rank != 4) throw new NotSupportedException($"ONNX export: concatenation of rank-{rank} tensors; the graph is laid out for [N, H, W, C]");
        int a = axis < 0 ? axis + rank : axis;
        return a switch { 0 => 0, 1 => 2, 2 => 3, 3 => 1, _ => throw new ArgumentOutOfRangeException(nameof(axis), $"axis {axis} of a rank-4 tensor") };
    }
}
