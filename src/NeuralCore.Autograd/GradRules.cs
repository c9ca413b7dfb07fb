using System.Reflection;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

/// <summary>How to call a catalog op through autograd, generically: inputs and the catalog case's attrs -> output.</summary>
public sealed record GradRule(string Name, Func<Tensor[], object?, Tensor> Apply);

/// <summary>
/// The differentiable entry point of every catalog op that has a gradient, by catalog name. The meta-test checks
/// that each differentiable catalog op has one here; the gradient checks call ops through it.
/// </summary>
public static partial class GradRules
{
    private static readonly Lazy<IReadOnlyDictionary<string, GradRule>> Entries = new(() =>
        typeof(GradRules).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(GradRule))
            .Select(f => (GradRule)f.GetValue(null)!)
            .ToDictionary(r => r.Name));

    public static IReadOnlyDictionary<string, GradRule> All => Entries.Value;

    public static readonly GradRule Add = new("add", (x, _) => F.Add(x[0], x[1]));
    public static readonly GradRule Sub = new("sub", (x, _) => F.Sub(x[0], x[1]));
    public static readonly GradRule Mul = new("mul", (x, _) => F.Mul(x[0], x[1]));
    public static readonly GradRule Div = new("div", (x, _) => F.Div(x[0], x[1]));
    public static readonly GradRule Scale = new("scale", (x, a) => F.Scale(x[0], (double)a!));
    public static readonly GradRule Relu = new("relu", (x, _) => F.Relu(x[0]));
    public static readonly GradRule Relu6 = new("relu6", (x, _) => F.Relu6(x[0]));
    public static readonly GradRule LeakyRelu = new("leaky_relu", (x, _) => F.LeakyRelu(x[0], 0.3));
    public static readonly GradRule Sigmoid = new("sigmoid", (x, _) => F.Sigmoid(x[0]));
    public static readonly GradRule Tanh = new("tanh", (x, _) => F.Tanh(x[0]));
    public static readonly GradRule Sum = new("sum", (x, a) => F.Sum(x[0], ((Kernels.ReduceAttrs)a!).Axes, ((Kernels.ReduceAttrs)a!).KeepDims));
    public static readonly GradRule Mean = new("mean", (x, a) => F.Mean(x[0], ((Kernels.ReduceAttrs)a!).Axes, ((Kernels.ReduceAttrs)a!).KeepDims));
    public static readonly GradRule BroadcastTo = new("broadcast_to", (x, a) => F.BroadcastTo(x[0], (Shape)a!));

    // convolutions (conv helper)
    public static readonly GradRule Conv2d = new("conv2d", (x, a) => F.Conv2d(x[0], x[1], (Kernels.Conv2dAttrs)a!));
    public static readonly GradRule ConvTranspose2d = new("conv_transpose2d", (x, a) => F.ConvTranspose2d(x[0], x[1], (Kernels.ConvTranspose2dAttrs)a!));
}

// ---- nn ops (batch_norm, pooling, upsample, zero_pad, concat/split/slice_axis, dropout, matmul) ----
public static partial class GradRules
{
    public static readonly GradRule BatchNorm = new("batch_norm", (x, a) => F.BatchNorm(x[0], x[1], x[2], x[3], x[4], (Kernels.BatchNormAttrs)a!));
    public static readonly GradRule MaxPool2d = new("max_pool2d", (x, a) => F.MaxPool2d(x[0], (Kernels.Pool2dAttrs)a!));
    public static readonly GradRule AvgPool2d = new("avg_pool2d", (x, a) => F.AvgPool2d(x[0], (Kernels.Pool2dAttrs)a!));
    public static readonly GradRule GlobalAvgPool = new("global_avg_pool", (x, a) => F.GlobalAvgPool(x[0], (bool)a!));
    public static readonly GradRule Upsample = new("upsample", (x, a) => F.Upsample(x[0], (Kernels.UpsampleAttrs)a!));
    public static readonly GradRule RoiAlign = new("roi_align", (x, a) => F.RoiAlign(x[0], x[1], (Kernels.RoiAlignAttrs)a!));
    public static readonly GradRule ZeroPad = new("zero_pad", (x, a) => F.ZeroPad(x[0], (Kernels.ZeroPadAttrs)a!));
    public static readonly GradRule Concat = new("concat", (x, a) => F.Concat(x, (int)a!));
    public static readonly GradRule SliceAxis = new("slice_axis", (x, a) =>
        F.SliceAxis(x[0], ((Kernels.SliceAxisAttrs)a!).Axis, ((Kernels.SliceAxisAttrs)a!).Start, ((Kernels.SliceAxisAttrs)a!).Length));

    /// <summary>split has several outputs: the check joins them again in reverse order, so every piece's gradient and placement counts.</summary>
    public static readonly GradRule Split = new("split", (x, a) =>
    {
        var s = (Kernels.SplitAttrs)a!;
        var pieces = F.Split(x[0], s.Axis, s.Sizes);
        return F.Concat(pieces.Reverse().ToArray(), s.Axis);
    });

    public static readonly GradRule Dropout = new("dropout", (x, a) => F.Dropout(x[0], (Kernels.DropoutAttrs)a!));
    public static readonly GradRule Matmul = new("matmul", (x, a) =>
        F.Matmul(x[0], x[1], ((Kernels.MatmulAttrs)a!).TransposeA, ((Kernels.MatmulAttrs)a!).TransposeB));
}

// ---- lossopt group: softmax family and the fused loss ----
public static partial class GradRules
{
    public static readonly GradRule Softmax = new("softmax", (x, _) => F.Softmax(x[0]));
    public static readonly GradRule LogSoftmax = new("log_softmax", (x, _) => F.LogSoftmax(x[0]));
    public static readonly GradRule SoftmaxCrossEntropy = new("softmax_cross_entropy", (x, a) =>
        F.SoftmaxCrossEntropy(x[0], x[1], x.Length > 2 ? x[2] : null, ((Kernels.SoftmaxCrossEntropyAttrs)a!).IgnoreLabel));
}
