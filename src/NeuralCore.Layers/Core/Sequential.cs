using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>
/// Modules applied one after another. Each intermediate result is released as soon as the next module has
/// consumed it (the storage survives if a backward rule saved it); the input and the output stay the caller's.
/// </summary>
public sealed class Sequential : Module
{
    public Sequential(string name, params Module[] layers) : base(name)
    {
        foreach (var layer in layers) Add(layer);
    }

    public override Tensor Forward(Tensor x)
    {
        var y = x;
        foreach (var layer in Children) y = ReferenceEquals(y, x) ? layer.Forward(y) : layer.Forward(y).Releasing(y);
        return y;
    }
}
