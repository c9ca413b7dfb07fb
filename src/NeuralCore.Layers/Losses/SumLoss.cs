using NeuralCore.Autograd;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Losses;

/// <summary>
/// The sum of several losses on the same logits, e.g. cross-entropy + Dice: cross-entropy gives every pixel a
/// gradient, Dice weighs each class by its own size, so a thin class (Oxford's border) is not drowned by the big ones.
/// </summary>
public sealed class SumLoss : Loss
{
    public SumLoss(params IReadOnlyList<Loss> terms)
    {
        if (terms.Count < 2) throw new ArgumentException($"a sum of losses needs at least two terms, got {terms.Count}", nameof(terms));
        Terms = terms;
    }

    public IReadOnlyList<Loss> Terms { get; }

    public override string Name => string.Join('+', Terms.Select(t => t.Name));

    public override Tensor Forward(Tensor logits, Tensor labels)
    {
        var total = Terms[0].Forward(logits, labels);
        for (int i = 1; i < Terms.Count; i++) total = F.Add(total, Terms[i].Forward(logits, labels));
        return total;
    }
}
