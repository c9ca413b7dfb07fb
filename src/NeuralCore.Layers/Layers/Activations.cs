using NeuralCore.Autograd;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

public sealed class ReLU(string name = "relu") : Module(name)
{
    public override Tensor Forward(Tensor x) => Traced(F.Relu(x), x);
}

/// <summary>min(max(x, 0), 6), MobileNetV2's activation (Keras ReLU(6.)).</summary>
public sealed class ReLU6(string name = "relu6") : Module(name)
{
    public override Tensor Forward(Tensor x) => Traced(F.Relu6(x), x);
}

/// <summary>Leaky ReLU; Keras' LeakyReLU default slope is 0.3 (the pix2pix blocks use it).</summary>
public sealed class LeakyReLU(string name = "leaky_re_lu", double alpha = 0.3) : Module(name)
{
    public double Alpha { get; } = alpha;

    public override Tensor Forward(Tensor x) => Traced(F.LeakyRelu(x, Alpha), x);
}
