using NeuralCore.Tensors;

namespace NeuralCore.Layers.Losses;

/// <summary>A segmentation loss: per-pixel class logits against integer labels, reduced to a differentiable scalar.</summary>
public abstract class Loss
{
    /// <summary>The name the command line and reports use ("crossentropy", "dice").</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The scalar loss of <paramref name="logits"/> [..., K] (float32 or float64, e.g. [N, H, W, K]) against int32
    /// <paramref name="labels"/> [...] (e.g. [N, H, W]), differentiable in the logits. Call it inside a
    /// <see cref="TensorScope"/>: the intermediate tensors belong to that scope (the backward pass needs them).
    /// </summary>
    public abstract Tensor Forward(Tensor logits, Tensor labels);

    public override string ToString() => Name;

    public static IReadOnlyList<string> Names { get; } = ["crossentropy", "dice"];

    /// <summary>Builds a loss from the command line's name: one of <see cref="Names"/>, or several joined by '+'
    /// ("crossentropy+dice").</summary>
    /// <param name="classWeights">Cross-entropy class weights (dice takes none; in a sum they go to the cross-entropy term).</param>
    public static Loss Create(string name, IReadOnlyList<double>? classWeights = null, int? ignoreLabel = null)
    {
        var terms = name.Split('+', StringSplitOptions.TrimEntries);
        if (terms.Length == 1) return CreateTerm(terms[0], classWeights, ignoreLabel);
        return new SumLoss(terms.Select(t => CreateTerm(t, IsDice(t) ? null : classWeights, ignoreLabel)).ToArray());
    }

    private static bool IsDice(string name) => name.Equals("dice", StringComparison.OrdinalIgnoreCase);

    private static Loss CreateTerm(string name, IReadOnlyList<double>? classWeights, int? ignoreLabel) => name.ToLowerInvariant() switch
    {
        "crossentropy" => new SparseCrossEntropy(classWeights, ignoreLabel),
        "dice" when classWeights is null => new DiceLoss(ignoreLabel: ignoreLabel),
        "dice" => throw new ArgumentException("loss 'dice' takes no class weights"),
        _ => throw new ArgumentException($"unknown loss '{name}', expected one of {string.Join(", ", Names)} or a sum like crossentropy+dice"),
    };
}
