using NeuralCore.Autograd;
using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>
/// Keras Conv2DTranspose: x [N, H, W, Cin] -> y [N, H*s, W*s, filters] with 'same' padding (Keras 'valid' adds
/// max(k - s, 0)). Weights "kernel" [KH, KW, filters, Cin] (Keras' layout, used as is) and "bias" [filters].
/// </summary>
public sealed class ConvTranspose2d : Module
{
    /// <param name="kernelInitializer">Defaults to Keras' glorot-uniform drawn from <paramref name="rng"/>.</param>
    public ConvTranspose2d(string name, int inChannels, int filters, Size2d kernelSize, RandomGenerator rng,
        Size2d? strides = null, Padding2d padding = default, bool useBias = true, Initializer? kernelInitializer = null) : base(name)
    {
        Kernel = AddParameter("kernel", [kernelSize.H, kernelSize.W, filters, inChannels], kernelInitializer ?? Initializer.GlorotUniform(rng));
        Bias = useBias ? AddParameter("bias", [filters], Initializer.Zeros) : null;
        Attrs = new ConvTranspose2dAttrs { Padding = padding, Stride = strides ?? 1 };
    }

    /// <summary>[KH, KW, Cout, Cin]</summary>
    public Tensor Kernel { get; }

    public Tensor? Bias { get; }

    public ConvTranspose2dAttrs Attrs { get; }

    public override Tensor Forward(Tensor x)
    {
        var y = F.ConvTranspose2d(x, Kernel, Attrs);
        return Traced(Bias is null ? y : F.Add(y, Bias).Releasing(y), x);
    }
}
