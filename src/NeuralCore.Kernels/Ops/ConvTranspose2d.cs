using NeuralCore.Kernels.Catalog;
using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>
/// Attributes of conv_transpose2d (Keras Conv2DTranspose): padding (default 'valid'; see
/// <see cref="Padding2d.ResolveTransposed"/>), stride, dilation, and PyTorch's output padding, which only explicit
/// padding accepts. <c>new ConvTranspose2dAttrs { Padding = Padding2d.Same, Stride = 2 }</c>.
/// </summary>
public sealed record ConvTranspose2dAttrs
{
    public Padding2d Padding { get; init; }

    public Size2d Stride { get; init; } = 1;

    public Size2d Dilation { get; init; } = 1;

    public Size2d OutputPadding { get; init; }

    public override string ToString() =>
        $"{Padding} s{Stride} d{Dilation}" + (OutputPadding == default ? "" : $" op{OutputPadding}");
}

/// <summary>
/// conv_transpose2d and its backward kernels. A transposed convolution is the input gradient of the convolution
/// that maps its output back to its input (input pixel i feeds output pixels i*stride - top + k*dilation), so
/// all three run conv2d's kernels with the roles swapped: forward = that convolution's backward-input pass,
/// backward_input = its forward pass on dy, backward_weight = its weight pass with (dy, x) as (input, output).
/// </summary>
public static partial class Ops
{
    /// <summary>y [N, OH, OW, Cout] = conv_transpose2d(x [N, H, W, Cin], w [KH, KW, Cout, Cin]) (Keras kernel layout). No bias.</summary>
    public static Tensor ConvTranspose2d(Tensor x, Tensor w, ConvTranspose2dAttrs attrs)
    {
        const string op = "conv_transpose2d";
        CheckConvOperands(op, x, "x", w, "w");
        var g = ConvTranspose2dGeometryOf(op, x.Shape, w.Shape, attrs);
        return RunConv(op, ConvPass.BackwardInput, g, x, w, g.InputShape);
    }

    /// <summary>The output shape of conv_transpose2d on these shapes (validated as <see cref="ConvTranspose2d"/> does).</summary>
    public static Shape ConvTranspose2dOutputShape(Shape x, Shape w, ConvTranspose2dAttrs attrs) =>
        ConvTranspose2dGeometryOf("conv_transpose2d", x, w, attrs).InputShape;

    /// <summary>dx [N, H, W, Cin] of conv_transpose2d from dy [N, OH, OW, Cout] and w: a plain convolution of dy.</summary>
    public static Tensor ConvTranspose2dBackwardInput(Tensor dy, Tensor w, Shape xShape, ConvTranspose2dAttrs attrs)
    {
        const string op = "conv_transpose2d_backward_input";
        CheckConvOperands(op, dy, "dy", w, "w");
        var g = ConvTranspose2dGeometryOf(op, xShape, w.Shape, attrs);
        CheckGradientShape(op, dy, g.InputShape, $"conv_transpose2d of x {xShape} with w {w.Shape}");
        return RunConv(op, ConvPass.Forward, g, dy, w, g.OutputShape);
    }

    /// <summary>dw [KH, KW, Cout, Cin] of conv_transpose2d from x and dy; <paramref name="wShape"/> is the weight's shape.</summary>
    public static Tensor ConvTranspose2dBackwardWeight(Tensor x, Tensor dy, Shape wShape, ConvTranspose2dAttrs attrs)
    {
        const string op = "conv_transpose2d_backward_weight";
        CheckConvOperands(op, x, "x", dy, "dy");
        var g = ConvTranspose2dGeometryOf(op, x.Shape, wShape, attrs);
        CheckGradientShape(op, dy, g.InputShape, $"conv_transpose2d of x {x.Shape} with w {wShape}");
        return RunConv(op, ConvPass.BackwardWeight, g, dy, x, g.WeightShape);
    }

    /// <summary>The geometry of the convolution whose input gradient this transposed convolution is: its In is our output.</summary>
    internal static Conv2dGeometry ConvTranspose2dGeometryOf(string op, Shape x, Shape w, ConvTranspose2dAttrs attrs)
    {
        CheckRank4(op, "x", x, "[N, H, W, Cin]");
        CheckRank4(op, "w", w, "[KH, KW, Cout, Cin]");
        OpCheck.That(w[3] == x[3], op, $"channel mismatch: x {x} has {x[3]} channels, so w [KH, KW, Cout, Cin] must end in {x[3]}, got w {w}");
        var p = attrs.Padding.ResolveTransposed(op, x, (w[0], w[1]), attrs.Stride, attrs.Dilation, attrs.OutputPadding);
        return new Conv2dGeometry(x[0], p.OutH, p.OutW, w[2], x[1], x[2], x[3], w[0], w[1], attrs.Stride, attrs.Dilation, p.Top, p.Left, 1);
    }
}

public static partial class OpCatalog
{
    private static OpCase ConvT(string label, Shape x, Shape w, ConvTranspose2dAttrs attrs, bool bench = false) =>
        new(label, [new(x), new(w)], attrs, bench);

    private static ConvTranspose2dAttrs SameS2 => new() { Padding = Padding2d.Same, Stride = 2 };

    /// <summary>The decoders' upsamplings (pix2pix, classic U-Net, FCN-8) and the padding variants; bench rows are the anchors in NHWC.</summary>
    private static OpCase[] ConvTranspose2dCases =>
    [
        ConvT("3x3 s2 same (crop 0/1)", [2, 4, 3, 3], [3, 3, 4, 3], SameS2),
        ConvT("4x4 s2 same", [2, 3, 4, 3], [4, 4, 2, 3], SameS2),
        ConvT("2x2 s2", [2, 3, 2, 4], [2, 2, 3, 4], SameS2),
        ConvT("8x8 s8 (FCN-8)", [1, 2, 2, 3], [8, 8, 3, 3], new() { Padding = Padding2d.Same, Stride = 8 }),
        ConvT("4x4 s4 (FCN-8)", [2, 2, 3, 3], [4, 4, 3, 3], new() { Padding = Padding2d.Same, Stride = 4 }),
        ConvT("3x3 s1 same", [2, 5, 4, 3], [3, 3, 4, 3], new() { Padding = Padding2d.Same }),
        ConvT("3x3 s2 valid", [2, 3, 4, 3], [3, 3, 2, 3], new() { Stride = 2 }),
        ConvT("1x1 s2 valid (zero rows appended)", [2, 3, 3, 2], [1, 1, 3, 2], new() { Stride = 2 }),
        ConvT("explicit p1 op1 (PyTorch k3 s2)", [2, 3, 4, 3], [3, 3, 2, 3], new() { Padding = Padding2d.Symmetric(1, 1), Stride = 2, OutputPadding = 1 }),
        ConvT("explicit (0,1,2,0) s(2,3) op(1,0)", [2, 3, 4, 3], [3, 3, 2, 3], new() { Padding = Padding2d.Explicit(0, 1, 2, 0), Stride = (2, 3), OutputPadding = (1, 0) }),
        ConvT("3x3 d2 same", [2, 3, 4, 2], [3, 3, 3, 2], new() { Padding = Padding2d.Same, Dilation = 2 }),
        ConvT("3x3 s2 same 6->5 (GEMM path)", [2, 3, 4, 6], [3, 3, 5, 6], SameS2),
        ConvT("3x3 s2 160->3 (U-Net logits)", [8, 64, 64, 160], [3, 3, 3, 160], SameS2, bench: true),
        ConvT("3x3 s2 512->256", [8, 8, 8, 512], [3, 3, 256, 512], SameS2, bench: true),
        ConvT("4x4 s2 512->256", [8, 16, 16, 512], [4, 4, 256, 512], SameS2, bench: true),
    ];

    private static Conv2dGeometry ConvTranspose2dCaseGeometry(OpCase c) =>
        Ops.ConvTranspose2dGeometryOf("conv_transpose2d", c.Inputs[0].Shape, c.Inputs[1].Shape, (ConvTranspose2dAttrs)c.Attrs!);

    /// <summary>
    /// FLOPs counted input-centrically (every input pixel times every tap, 2 per multiply-add), as the anchors
    /// count them; taps cropped away by the padding are included.
    /// </summary>
    private static double ConvTranspose2dFlops(Shape x, Shape w) => 2.0 * x[0] * x[1] * x[2] * x[3] * w[0] * w[1] * w[2];

    public static readonly OpDef ConvTranspose2d = new()
    {
        Name = "conv_transpose2d", Signature = "x[N,H,W,Cin], w[KH,KW,Cout,Cin] -> y[N,OH,OW,Cout] (attrs: padding, stride, dilation, output padding)",
        DifferentiableInputs = [0, 1], Tolerance = Tolerance.Winograd, // stride 1 runs conv2d's input gradient
        Run = (x, a) => [Ops.ConvTranspose2d(x[0], x[1], (ConvTranspose2dAttrs)a!)],
        Cases = ConvTranspose2dCases,
        Flops = c => ConvTranspose2dFlops(c.Inputs[0].Shape, c.Inputs[1].Shape),
    };

    public static readonly OpDef ConvTranspose2dBackwardInput = new()
    {
        Name = "conv_transpose2d_backward_input", Signature = "dy[N,OH,OW,Cout], w[KH,KW,Cout,Cin] -> dx[N,H,W,Cin] (attrs: conv_transpose2d's, x shape)",
        Tolerance = Tolerance.Winograd, // stride 1 runs conv2d's forward
        Run = (x, a) =>
        {
            var attrs = (ConvGradAttrs<ConvTranspose2dAttrs>)a!;
            return [Ops.ConvTranspose2dBackwardInput(x[0], x[1], attrs.GradShape, attrs.Forward)];
        },
        Cases = ConvTranspose2dCases.Select(c =>
        {
            var g = ConvTranspose2dCaseGeometry(c);
            var attrs = new ConvGradAttrs<ConvTranspose2dAttrs>((ConvTranspose2dAttrs)c.Attrs!, c.Inputs[0].Shape, ConvTranspose2dFlops(c.Inputs[0].Shape, c.Inputs[1].Shape) / 2);
            return c with { Inputs = [new(g.InputShape), c.Inputs[1]], Attrs = attrs };
        }).ToArray(),
        Flops = ConvGradFlops<ConvTranspose2dAttrs>,
    };

    public static readonly OpDef ConvTranspose2dBackwardWeight = new()
    {
        Name = "conv_transpose2d_backward_weight", Signature = "x[N,H,W,Cin], dy[N,OH,OW,Cout] -> dw[KH,KW,Cout,Cin] (attrs: conv_transpose2d's, w shape)",
        Tolerance = Tolerance.Accumulating,
        Run = (x, a) =>
        {
            var attrs = (ConvGradAttrs<ConvTranspose2dAttrs>)a!;
            return [Ops.ConvTranspose2dBackwardWeight(x[0], x[1], attrs.GradShape, attrs.Forward)];
        },
        Cases = ConvTranspose2dCases.Select(c =>
        {
            var g = ConvTranspose2dCaseGeometry(c);
            var attrs = new ConvGradAttrs<ConvTranspose2dAttrs>((ConvTranspose2dAttrs)c.Attrs!, c.Inputs[1].Shape, ConvTranspose2dFlops(c.Inputs[0].Shape, c.Inputs[1].Shape) / 2);
            return c with { Inputs = [c.Inputs[0], new(g.InputShape)], Attrs = attrs };
        }).ToArray(),
        Flops = ConvGradFlops<ConvTranspose2dAttrs>,
    };
}
