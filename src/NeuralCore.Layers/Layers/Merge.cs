using NeuralCore.Autograd;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>A layer that combines several inputs (Keras' merge layers); it has no single-input forward.</summary>
public abstract class MergeLayer(string name) : Module(name)
{
    public abstract Tensor Forward(IReadOnlyList<Tensor> inputs);

    public Tensor Forward(params Tensor[] inputs) => Forward((IReadOnlyList<Tensor>)inputs);

    public sealed override Tensor Forward(Tensor x) =>
        throw new InvalidOperationException($"{this} merges several inputs; call Forward with a list");
}

/// <summary>Keras Concatenate: [N, H, W, C1], [N, H, W, C2], ... -> [N, H, W, C1 + C2 + ...] (axis -1 by default).</summary>
public sealed class Concatenate(string name, int axis = -1) : MergeLayer(name)
{
    public int Axis { get; } = axis;

    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => Traced(F.Concat(inputs, Axis), inputs.ToArray());
}

/// <summary>Keras Add: the element-wise sum of same-shaped inputs (MobileNetV2's residual <c>block_N_add</c>).</summary>
public sealed class Add(string name) : MergeLayer(name)
{
    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.Count < 2) throw new ArgumentException($"{this}: needs at least two inputs, got {inputs.Count}");
        var sum = F.Add(inputs[0], inputs[1]);
        for (int i = 2; i < inputs.Count; i++) sum = F.Add(sum, inputs[i]).Releasing(sum);
        return Traced(sum, inputs.ToArray());
    }
}
