using NeuralCore.Kernels.Catalog;
using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>
/// Attributes of conv2d (Keras Conv2D / DepthwiseConv2D): padding (default 'valid'), stride, dilation, groups
/// (groups == input channels is depthwise; the weight is then [KH, KW, 1, C*multiplier]).
/// <c>new Conv2dAttrs { Padding = Padding2d.Same, Stride = 2 }</c>.
/// </summary>
public sealed record Conv2dAttrs
{
    public Padding2d Padding { get; init; }

    public Size2d Stride { get; init; } = 1;

    public Size2d Dilation { get; init; } = 1;

    public int Groups { get; init; } = 1;

    public override string ToString() => $"{Padding} s{Stride} d{Dilation}" + (Groups == 1 ? "" : $" g{Groups}");
}

/// <summary>conv2d (NHWC input, HWIO weight) and its two backward kernels, conv2d_backward_input and conv2d_backward_weight.</summary>
public static partial class Ops
{
    /// <summary>y [N, OH, OW, Cout] = conv(x [N, H, W, Cin], w [KH, KW, Cin/groups, Cout]). No bias (add it with <see cref="Add"/>).</summary>
    public static Tensor Conv2d(Tensor x, Tensor w, Conv2dAttrs attrs)
    {
        const string op = "conv2d";
        CheckConvOperands(op, x, "x", w, "w");
        var g = Conv2dGeometryOf(op, x.Shape, w.Shape, attrs);
        return RunConv(op, ConvPass.Forward, g, x, w, g.OutputShape);
    }

    /// <summary>The output shape of conv2d on these shapes (validated as <see cref="Conv2d"/> does).</summary>
    public static Shape Conv2dOutputShape(Shape x, Shape w, Conv2dAttrs attrs) => Conv2dGeometryOf("conv2d", x, w, attrs).OutputShape;

    /// <summary>dx [N, H, W, Cin] of conv2d from dy [N, OH, OW, Cout] and w; <paramref name="xShape"/> is the forward input's shape.</summary>
    public static Tensor Conv2dBackwardInput(Tensor dy, Tensor w, Shape xShape, Conv2dAttrs attrs)
    {
        const string op = "conv2d_backward_input";
        CheckConvOperands(op, dy, "dy", w, "w");
        var g = Conv2dGeometryOf(op, xShape, w.Shape, attrs);
        CheckGradientShape(op, dy, g.OutputShape, $"conv2d of x {xShape} with w {w.Shape}");
        return RunConv(op, ConvPass.BackwardInput, g, dy, w, g.InputShape);
    }

    /// <summary>dw [KH, KW, Cin/groups, Cout] of conv2d from x and dy; <paramref name="wShape"/> is the weight's shape.</summary>
    public static Tensor Conv2dBackwardWeight(Tensor x, Tensor dy, Shape wShape, Conv2dAttrs attrs)
    {
        const string op = "conv2d_backward_weight";
        CheckConvOperands(op, x, "x", dy, "dy");
        var g = Conv2dGeometryOf(op, x.Shape, wShape, attrs);
        CheckGradientShape(op, dy, g.OutputShape, $"conv2d of x {x.Shape} with w {wShape}");
        return RunConv(op, ConvPass.BackwardWeight, g, x, dy, g.WeightShape);
    }

    internal static Conv2dGeometry Conv2dGeometryOf(string op, Shape x, Shape w, Conv2dAttrs attrs)
    {
        CheckRank4(op, "x", x, "[N, H, W, Cin]");
        CheckRank4(op, "w", w, "[KH, KW, Cin/groups, Cout]");
        int groups = attrs.Groups, cin = x[3], cout = w[3];
        OpCheck.Positive(op, "groups", groups);
        OpCheck.That(cin % groups == 0, op, $"groups {groups} must divide the input channels of x {x} ({cin})");
        OpCheck.That(cout % groups == 0, op, $"groups {groups} must divide the output channels of w {w} ({cout})");
        OpCheck.That(w[2] == cin / groups, op,
            $"channel mismatch: x {x} has {cin} channels, so w [KH, KW, Cin/groups, Cout] with groups {groups} needs {cin / groups} input channels, got w {w}");
        var p = attrs.Padding.Resolve(op, x, (w[0], w[1]), attrs.Stride, attrs.Dilation);
        return new Conv2dGeometry(x[0], x[1], x[2], cin, p.OutH, p.OutW, cout, w[0], w[1], attrs.Stride, attrs.Dilation, p.Top, p.Left, groups);
    }

    private static void CheckRank4(string op, string arg, Shape shape, string layout) =>
        OpCheck.That(shape.Rank == 4, op, $"{arg} must have rank 4 {layout}, got {shape}");

    private static void CheckConvOperands(string op, Tensor a, string aName, Tensor b, string bName)
    {
        OpCheck.Float(op, aName, a);
        OpCheck.Float(op, bName, b);
        OpCheck.SameDType(op, a, aName, b, bName);
    }

    private static void CheckGradientShape(string op, Tensor dy, Shape expected, string forward) =>
        OpCheck.That(dy.Shape == expected, op, $"dy {dy.Describe()} does not match the output {expected} of {forward}");

    /// <summary>Allocates the result and runs one pass of the convolution on the chosen backend.</summary>
    private static Tensor RunConv(string op, ConvPass pass, Conv2dGeometry g, Tensor a, Tensor b, Shape resultShape)
    {
        var kernels = Backend.For(op, a, b);
        var result = Tensor.Empty(resultShape, a.DType, a.Device);
        using var ac = a.Contiguous();
        using var bc = b.Contiguous();
        kernels.Conv2d(pass, g, ac, bc, result);
        return result;
    }
}

public static partial class OpCatalog
{
    /// <summary>
    /// Attributes of a convolution's backward catalog entries: the forward attributes, the shape of the tensor whose
    /// gradient is computed (it cannot be inferred from the inputs) and the forward's multiply-adds, for Flops.
    /// </summary>
    internal sealed record ConvGradAttrs<TAttrs>(TAttrs Forward, Shape GradShape, double MultiplyAdds)
    {
        public override string ToString() => $"{Forward} -> {GradShape}";
    }

    private static double ConvGradFlops<TAttrs>(OpCase c) => 2 * ((ConvGradAttrs<TAttrs>)c.Attrs!).MultiplyAdds;

    private static OpCase Conv(string label, Shape x, Shape w, Conv2dAttrs attrs, bool bench = false) =>
        new(label, [new(x), new(w)], attrs, bench);

    /// <summary>Small odd shapes for the checks, then the anchor shapes of torch_cpu_results.md converted to NHWC.</summary>
    private static OpCase[] Conv2dCases =>
    [
        Conv("3x3 same", [2, 7, 5, 3], [3, 3, 3, 4], new() { Padding = Padding2d.Same }),
        Conv("3x3 valid", [2, 7, 5, 3], [3, 3, 3, 2], new()),
        Conv("3x3 s2 same, odd size", [2, 7, 5, 3], [3, 3, 3, 4], new() { Padding = Padding2d.Same, Stride = 2 }),
        Conv("3x3 s2 same, even size (pad 0/1)", [2, 8, 6, 3], [3, 3, 3, 5], new() { Padding = Padding2d.Same, Stride = 2 }),
        Conv("3x3 d2 same", [2, 7, 6, 3], [3, 3, 3, 4], new() { Padding = Padding2d.Same, Dilation = 2 }),
        Conv("explicit (0,1,1,2) s(1,2)", [2, 5, 6, 3], [3, 3, 3, 4], new() { Padding = Padding2d.Explicit(0, 1, 1, 2), Stride = (1, 2) }),
        Conv("groups 2", [2, 5, 7, 4], [3, 3, 2, 6], new() { Padding = Padding2d.Same, Groups = 2 }),
        Conv("depthwise", [2, 6, 5, 4], [3, 3, 1, 4], new() { Padding = Padding2d.Same, Groups = 4 }),
        Conv("depthwise x2 s2", [2, 6, 5, 3], [3, 3, 1, 6], new() { Padding = Padding2d.Same, Stride = 2, Groups = 3 }),
        Conv("1x1", [2, 5, 7, 6], [1, 1, 6, 4], new()),
        // Wider than ConvGemmNarrow.MaxN on both sides, so every pass takes the register-tiled GEMM.
        Conv("1x1 6->8 (GEMM path)", [2, 5, 7, 6], [1, 1, 6, 8], new()),
        Conv("3x3 s2 same 6->7 (GEMM path)", [2, 6, 5, 6], [3, 3, 6, 7], new() { Padding = Padding2d.Same, Stride = 2 }),
        Conv("1x1 s2 (not a plain GEMM)", [2, 5, 6, 3], [1, 1, 3, 4], new() { Stride = 2 }),
        Conv("1x1 explicit (1,0,0,1)", [2, 4, 5, 3], [1, 1, 3, 2], new() { Padding = Padding2d.Explicit(1, 0, 0, 1) }),
        Conv("depthwise 3x3 s2 d2, 17 channels", [1, 7, 6, 17], [3, 3, 1, 17], new() { Padding = Padding2d.Same, Stride = 2, Dilation = 2, Groups = 17 }),
        Conv("4x4 s2 same (pix2pix; odd H pads 1/2)", [2, 7, 6, 3], [4, 4, 3, 4], new() { Padding = Padding2d.Same, Stride = 2 }),
        // 3x3 stride 1 with >= CpuConv2d.WinogradMinChannels channels and >= WinogradMinTiles tiles: the Winograd path,
        // with ragged tiles (17 x 15 is not a multiple of 4), channel tails, and both paddings.
        Conv("3x3 same 16->24 (Winograd path)", [4, 17, 15, 16], [3, 3, 16, 24], new() { Padding = Padding2d.Same }),
        Conv("3x3 valid 20->16 (Winograd path)", [4, 18, 17, 20], [3, 3, 20, 16], new()),
        Conv("3x3 64->64", [8, 128, 128, 64], [3, 3, 64, 64], new() { Padding = Padding2d.Same }, bench: true),
        Conv("3x3 256->256", [8, 32, 32, 256], [3, 3, 256, 256], new() { Padding = Padding2d.Same }, bench: true),
        Conv("depthwise 3x3 144", [8, 32, 32, 144], [3, 3, 1, 144], new() { Padding = Padding2d.Same, Groups = 144 }, bench: true),
        Conv("1x1 96->24", [8, 64, 64, 96], [1, 1, 96, 24], new(), bench: true),
        Conv("4x4 s2 128->256 (pix2pix down)", [8, 64, 64, 128], [4, 4, 128, 256], new() { Padding = Padding2d.Same, Stride = 2 }, bench: true),
    ];

    private static Conv2dGeometry Conv2dCaseGeometry(OpCase c) =>
        Ops.Conv2dGeometryOf("conv2d", c.Inputs[0].Shape, c.Inputs[1].Shape, (Conv2dAttrs)c.Attrs!);

    public static readonly OpDef Conv2d = new()
    {
        Name = "conv2d", Signature = "x[N,H,W,Cin], w[KH,KW,Cin/g,Cout] -> y[N,OH,OW,Cout] (attrs: padding, stride, dilation, groups)",
        DifferentiableInputs = [0, 1], Tolerance = Tolerance.Winograd,
        Run = (x, a) => [Ops.Conv2d(x[0], x[1], (Conv2dAttrs)a!)],
        Cases = Conv2dCases,
        Flops = c => 2 * Conv2dCaseGeometry(c).MultiplyAdds,
    };

    public static readonly OpDef Conv2dBackwardInput = new()
    {
        Name = "conv2d_backward_input", Signature = "dy[N,OH,OW,Cout], w[KH,KW,Cin/g,Cout] -> dx[N,H,W,Cin] (attrs: conv2d's, x shape)",
        Tolerance = Tolerance.Winograd,
        Run = (x, a) =>
        {
            var attrs = (ConvGradAttrs<Conv2dAttrs>)a!;
            return [Ops.Conv2dBackwardInput(x[0], x[1], attrs.GradShape, attrs.Forward)];
        },
        Cases = Conv2dCases.Select(c =>
        {
            var g = Conv2dCaseGeometry(c);
            return c with { Inputs = [new(g.OutputShape), c.Inputs[1]], Attrs = new ConvGradAttrs<Conv2dAttrs>((Conv2dAttrs)c.Attrs!, g.InputShape, g.MultiplyAdds) };
        }).ToArray(),
        Flops = ConvGradFlops<Conv2dAttrs>,
    };

    public static readonly OpDef Conv2dBackwardWeight = new()
    {
        Name = "conv2d_backward_weight", Signature = "x[N,H,W,Cin], dy[N,OH,OW,Cout] -> dw[KH,KW,Cin/g,Cout] (attrs: conv2d's, w shape)",
        Tolerance = Tolerance.Accumulating,
        Run = (x, a) =>
        {
            var attrs = (ConvGradAttrs<Conv2dAttrs>)a!;
            return [Ops.Conv2dBackwardWeight(x[0], x[1], attrs.GradShape, attrs.Forward)];
        },
        Cases = Conv2dCases.Select(c =>
        {
            var g = Conv2dCaseGeometry(c);
            return c with { Inputs = [c.Inputs[0], new(g.OutputShape)], Attrs = new ConvGradAttrs<Conv2dAttrs>((Conv2dAttrs)c.Attrs!, g.WeightShape, g.MultiplyAdds) };
        }).ToArray(),
        Flops = ConvGradFlops<Conv2dAttrs>,
    };
}
