using NeuralCore.Autograd;
using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>Keras UpSampling2D: [N, H, W, C] -> [N, H*sh, W*sw, C], nearest (default) or half-pixel bilinear.</summary>
public sealed class UpSampling2d(string name, Size2d size, UpsampleMode interpolation = UpsampleMode.Nearest) : Module(name)
{
    public UpsampleAttrs Attrs { get; } = new(size.H, size.W, interpolation);

    public override Tensor Forward(Tensor x) => Traced(F.Upsample(x, Attrs), x);
}
