using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>
/// The weights (wx, wy, ww, wh) of torchvision's BoxCoder and the clip of the log-size deltas before exp
/// (log(1000 / 16) by default, so a box never grows more than 62.5x).
/// </summary>
public sealed record BoxCoderAttrs(double Wx, double Wy, double Ww, double Wh, double Clip)
{
    public static readonly double DefaultClip = Math.Log(1000.0 / 16);

    /// <summary>The RPN's coder: weights (1, 1, 1, 1).</summary>
    public static BoxCoderAttrs Rpn => new(1, 1, 1, 1, DefaultClip);

    /// <summary>The box head's coder: weights (10, 10, 5, 5).</summary>
    public static BoxCoderAttrs BoxHead => new(10, 10, 5, 5, DefaultClip);

    public override string ToString() => $"weights ({Wx}, {Wy}, {Ww}, {Wh}) clip {Clip:0.###}";

    internal void Check(string op) =>
        OpCheck.That(Wx > 0 && Wy > 0 && Ww > 0 && Wh > 0, op, $"box coder weights must be positive, got {this}");
}

/// <summary>box_decode and box_encode: box regression deltas (dx, dy, dw, dh) relative to reference boxes.</summary>
public static partial class Ops
{
    /// <summary>
    /// deltas [N, 4·J], boxes [N, 4] = (x1, y1, x2, y2) -> y [N, 4·J]: J boxes per row, each the reference box moved by
    /// (dx·w/wx, dy·h/wy) and scaled by exp(min(dw/ww, clip)), exp(min(dh/wh, clip)) (torchvision BoxCoder.decode_single).
    /// </summary>
    public static Tensor BoxDecode(Tensor deltas, Tensor boxes, BoxCoderAttrs attrs)
    {
        const string op = "box_decode";
        OpCheck.Rank(op, "deltas", deltas, 2, "[N, 4 * J]");
        OpCheck.Float(op, "deltas", deltas);
        OpCheck.That(deltas.Shape[1] % 4 == 0, op, $"deltas {deltas.Describe()} must have 4 values per box");
        CheckBoxes(op, "boxes", boxes);
        OpCheck.That(boxes.Shape[0] == deltas.Shape[0], op, $"boxes {boxes.Describe()} must have one row per row of deltas {deltas.Describe()}");
        OpCheck.SameDType(op, deltas, "deltas", boxes, "boxes");
        attrs.Check(op);
        return RunBoxCoder(op, deltas, boxes, attrs, decode: true);
    }

    /// <summary>
    /// targets [N, 4], proposals [N, 4] -> deltas [N, 4] that box_decode turns the proposals back into the targets
    /// (torchvision encode_boxes, without the clip).
    /// </summary>
    public static Tensor BoxEncode(Tensor targets, Tensor proposals, BoxCoderAttrs attrs)
    {
        const string op = "box_encode";
        CheckBoxes(op, "targets", targets);
        CheckBoxes(op, "proposals", proposals);
        OpCheck.That(targets.Shape == proposals.Shape, op, $"targets {targets.Describe()} and proposals {proposals.Describe()} must pair up");
        OpCheck.SameDType(op, targets, "targets", proposals, "proposals");
        attrs.Check(op);
        return RunBoxCoder(op, targets, proposals, attrs, decode: false);
    }

    private static Tensor RunBoxCoder(string op, Tensor values, Tensor reference, BoxCoderAttrs attrs, bool decode)
    {
        OpCheck.SameDevice(op, values, reference);
        var kernels = Backend.For(op, values, reference);
        var y = Tensor.Empty(values.Shape, values.DType, values.Device);
        if (y.ElementCount == 0) return y;
        using var vc = values.Contiguous();
        using var rc = reference.Contiguous();
        if (decode) kernels.BoxDecode(vc, rc, attrs, y);
        else kernels.BoxEncode(vc, rc, attrs, y);
        return y;
    }
}

public static partial class OpCatalog
{
    public static readonly OpDef BoxDecode = new()
    {
        Name = "box_decode", Signature = "deltas[N,4J], boxes[N,4] -> boxes[N,4J]", Tolerance = Tolerance.Elementwise,
        Run = (x, a) => [Ops.BoxDecode(x[0], x[1], (BoxCoderAttrs)a!)],
        Cases =
        [
            new("RPN weights", [new([30, 4]), new([30, 4], InputKind.Boxes, Extent: 100)], BoxCoderAttrs.Rpn),
            new("box head, 5 classes", [new([12, 20]), new([12, 4], InputKind.Boxes, Extent: 100)], BoxCoderAttrs.BoxHead),
            new("clip reached", [new([8, 4]), new([8, 4], InputKind.Boxes, Extent: 10)], new BoxCoderAttrs(1, 1, 0.25, 0.25, BoxCoderAttrs.DefaultClip)),
            new("box head 1000 x 91", [new([1000, 364]), new([1000, 4], InputKind.Boxes, Extent: 800)], BoxCoderAttrs.BoxHead, Bench: true),
        ],
    };

    public static readonly OpDef BoxEncode = new()
    {
        Name = "box_encode", Signature = "targets[N,4], proposals[N,4] -> deltas[N,4]", Tolerance = Tolerance.Elementwise,
        Run = (x, a) => [Ops.BoxEncode(x[0], x[1], (BoxCoderAttrs)a!)],
        Cases =
        [
            new("RPN weights", [new([30, 4], InputKind.Boxes, Extent: 100), new([30, 4], InputKind.Boxes, Extent: 100)], BoxCoderAttrs.Rpn),
            new("box head weights", [new([25, 4], InputKind.Boxes, Extent: 60), new([25, 4], InputKind.Boxes, Extent: 60)], BoxCoderAttrs.BoxHead),
            new("4000 anchors", [new([4000, 4], InputKind.Boxes, Extent: 800), new([4000, 4], InputKind.Boxes, Extent: 800)], BoxCoderAttrs.Rpn, Bench: true),
        ],
    };
}
