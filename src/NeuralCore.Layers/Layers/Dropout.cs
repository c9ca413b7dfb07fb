using NeuralCore.Autograd;
using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>
/// Inverted dropout of x (any shape), active only in training mode. The layer owns a seeded
/// <see cref="RandomGenerator"/> and reserves a fresh counter range on every call, so each step draws a new mask and a
/// run is reproducible from the seed (and resumable from <see cref="Generator"/>'s offset).
/// </summary>
public sealed class Dropout : Module
{
    public Dropout(string name, double rate, RandomGenerator rng) : base(name)
    {
        if (rate is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(rate), $"{name}: dropout rate {rate} is not in [0, 1)");
        Rate = rate;
        Generator = rng;
    }

    public double Rate { get; }

    public RandomGenerator Generator { get; }

    public override Tensor Forward(Tensor x)
    {
        if (!Training || Rate == 0) return Traced(x, x);
        ulong offset = Generator.Reserve(x.ElementCount);
        return Traced(F.Dropout(x, new DropoutAttrs(Rate, Generator.Seed, offset)), x);
    }
}
