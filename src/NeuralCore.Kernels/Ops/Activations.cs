using NeuralCore.Kernels.Catalog;
using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>relu, relu6, leaky_relu, sigmoid, tanh and their backward kernel (activation_backward).</summary>
public static partial class Ops
{
    public static Tensor Relu(Tensor x) => Activate("relu", Activation.Relu, x, 0);

    public static Tensor Relu6(Tensor x) => Activate("relu6", Activation.Relu6, x, 0);

    /// <summary>x if x &gt; 0 else alpha * x (Keras' default alpha is 0.3, PyTorch's 0.01; pix2pix uses 0.3).</summary>
    public static Tensor LeakyRelu(Tensor x, double alpha) => Activate("leaky_relu", Activation.LeakyRelu, x, alpha);

    public static Tensor Sigmoid(Tensor x) => Activate("sigmoid", Activation.Sigmoid, x, 0);

    public static Tensor Tanh(Tensor x) => Activate("tanh", Activation.Tanh, x, 0);

    public static Tensor Activate(string op, Activation act, Tensor x, double alpha)
    {
        OpCheck.Float(op, "x", x);
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        using var xc = x.Contiguous();
        Backend.For(op, x).Activate(act, alpha, xc, y);
        return y;
    }

    /// <summary>dx = dy * act'(x), given the forward input x and output y.</summary>
    public static Tensor ActivationBackward(Activation act, double alpha, Tensor x, Tensor y, Tensor dy)
    {
        const string op = "activation_backward";
        OpCheck.Shape(op, "y", y, x.Shape);
        OpCheck.Shape(op, "dy", dy, x.Shape);
        var dx = Tensor.Empty(x.Shape, x.DType, x.Device);
        using var xc = x.Contiguous();
        using var yc = y.Contiguous();
        using var dyc = dy.Contiguous();
        Backend.For(op, x, y, dy).ActivationBackward(act, alpha, xc, yc, dyc, dx);
        return dx;
    }
}

public static partial class OpCatalog
{
    private static OpCase[] ActivationCases(object? attrs = null) =>
    [
        new("odd", [new([2, 5, 7, 3])], attrs),
        new("large", [new([8, 64, 128, 128])], attrs, Bench: true),
    ];

    private static OpDef ActivationDef(string name, Activation act, double alpha = 0) => new()
    {
        Name = name, Signature = "x -> y (same shape)", DifferentiableInputs = [0],
        Run = (x, _) => [Ops.Activate(name, act, x[0], alpha)],
        Cases = ActivationCases(),
        Tolerance = act is Activation.Sigmoid or Activation.Tanh ? new Tolerance(1e-6, 1e-5) : Tolerance.Exact,
    };

    public static readonly OpDef Relu = ActivationDef("relu", Activation.Relu);
    public static readonly OpDef Relu6 = ActivationDef("relu6", Activation.Relu6);
    public static readonly OpDef LeakyRelu = ActivationDef("leaky_relu", Activation.LeakyRelu, 0.3);
    public static readonly OpDef Sigmoid = ActivationDef("sigmoid", Activation.Sigmoid);
    public static readonly OpDef Tanh = ActivationDef("tanh", Activation.Tanh);

    public static readonly OpDef ActivationBackward = new()
    {
        Name = "activation_backward", Signature = "x, y, dy -> dx (attrs: activation)",
        Run = (x, a) => [Ops.ActivationBackward((Activation)a!, 0.3, x[0], x[1], x[2])],
        Cases = Enum.GetValues<Activation>()
            .Select(act => new OpCase(act.ToString(), [new([2, 5, 7, 3]), new([2, 5, 7, 3]), new([2, 5, 7, 3])], act))
            .Append(new OpCase("relu large", [new([8, 64, 128, 128]), new([8, 64, 128, 128]), new([8, 64, 128, 128])], Activation.Relu, Bench: true))
            .ToArray(),
    };
}
