using NeuralCore.Autograd;
using NeuralCore.Kernels;
using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>
/// Keras Conv2D: y [N, OH, OW, filters] = act(conv(x [N, H, W, Cin], kernel [KH, KW, Cin, filters]) + bias).
/// Weights "kernel" then "bias" (Keras' order). Keras fuses the activation into the layer (VGG16's
/// <c>block1_conv1</c> is conv + ReLU under one name), so the constructor's <c>activation</c> is applied here too.
/// </summary>
public sealed class Conv2d : Module
{

    /// <param name="kernelInitializer">Defaults to Keras' glorot-uniform drawn from <paramref name="rng"/>.</param>
    public Conv2d(string name, int inChannels, int filters, Size2d kernelSize, RandomGenerator rng,
        Size2d? strides = null, Padding2d padding = default, bool useBias = true, Activation activation = Activation.Identity,
        Initializer? kernelInitializer = null) : base(name)
    {
        Kernel = AddParameter("kernel", [kernelSize.H, kernelSize.W, inChannels, filters], kernelInitializer ?? Initializer.GlorotUniform(rng));
        Bias = useBias ? AddParameter("bias", [filters], Initializer.Zeros) : null;
        Attrs = new Conv2dAttrs { Padding = padding, Stride = strides ?? 1 };
        Activation = activation;
    }

    /// <summary>[KH, KW, Cin, Cout]</summary>
    public Tensor Kernel { get; }

    /// <summary>[Cout], or null for use_bias=False.</summary>
    public Tensor? Bias { get; }

    public Conv2dAttrs Attrs { get; }

    /// <summary>The activation applied after the bias (Keras' fused <c>activation=</c>).</summary>
    public Activation Activation { get; }

    public override Tensor Forward(Tensor x)
    {
        var y = F.Conv2d(x, Kernel, Attrs);
        if (Bias is not null) y = F.Add(y, Bias).Releasing(y);
        return Traced(LayerActivation.Apply(Activation, y).Releasing(y), x);
    }
}

/// <summary>The activation Keras fuses into Conv2D and friends (activation=None is <see cref="Activation.Identity"/>).</summary>
internal static class LayerActivation
{
    public static Tensor Apply(Activation activation, Tensor y) => activation switch
    {
        Activation.Identity => y,
        Activation.Relu => F.Relu(y),
        Activation.Relu6 => F.Relu6(y),
        Activation.Sigmoid => F.Sigmoid(y),
        Activation.Tanh => F.Tanh(y),
        _ => throw new NotSupportedException($"activation {activation} needs a parameter; use a separate layer"),
    };
}
