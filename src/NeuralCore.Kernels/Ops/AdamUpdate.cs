using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>
/// Hyper-parameters of <see cref="Ops.AdamUpdate"/> with Keras' defaults (tf.keras.optimizers.Adam: learning rate
/// 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7). <paramref name="Step"/> is the 1-based step number t of this update.
/// </summary>
public sealed record AdamAttrs(int Step, double LearningRate = 0.001, double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-7)
{
    public override string ToString() => $"t={Step} lr={LearningRate} b1={Beta1} b2={Beta2} eps={Epsilon}";
}

/// <summary>Hyper-parameters of <see cref="Ops.AdamWUpdate"/>: Adam's plus Keras AdamW's decoupled weight decay (default 0.004).</summary>
public sealed record AdamWAttrs(AdamAttrs Adam, double WeightDecay = 0.004)
{
    public override string ToString() => $"{Adam} wd={WeightDecay}";
}

/// <summary>adam_update and adamw_update: Keras Adam / AdamW as in-place updates of (param, grad, m, v).</summary>
public static partial class Ops
{
    /// <summary>
    /// In place, TensorFlow's formulation: lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t); m = beta1 * m + (1 - beta1) * g;
    /// v = beta2 * v + (1 - beta2) * g^2; param -= lr_t * m / (sqrt(v) + epsilon). (PyTorch adds its epsilon to the
    /// bias-corrected sqrt(v / (1 - beta2^t)): the two agree when eps_torch = epsilon / sqrt(1 - beta2^t).)
    /// </summary>
    /// <param name="m">First-moment state (contiguous, starts at 0).</param>
    /// <param name="v">Second-moment state (contiguous, starts at 0).</param>
    public static void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamAttrs attrs) =>
        Adam("adam_update", param, grad, m, v, attrs, weightDecay: 0);

    /// <summary>Keras AdamW: param -= lr * WeightDecay * param (decoupled, before the step), then <see cref="AdamUpdate"/>.</summary>
    public static void AdamWUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWAttrs attrs)
    {
        CheckHyper("adamw_update", "weight decay", attrs.WeightDecay, 0, double.MaxValue);
        Adam("adamw_update", param, grad, m, v, attrs.Adam, attrs.WeightDecay);
    }

    private static void Adam(string op, Tensor param, Tensor grad, Tensor m, Tensor v, AdamAttrs attrs, double weightDecay)
    {
        CheckUpdateOperands(op, param, grad, ("m", m), ("v", v));
        OpCheck.That(attrs.Step >= 1, op, $"step must be >= 1 (the first update is step 1), got {attrs.Step}");
        CheckHyper(op, "learning rate", attrs.LearningRate, 0, double.MaxValue);
        CheckHyper(op, "beta1", attrs.Beta1, 0, 1, maxExclusive: true);
        CheckHyper(op, "beta2", attrs.Beta2, 0, 1, maxExclusive: true);
        CheckHyper(op, "epsilon", attrs.Epsilon, 0, double.MaxValue);
        double lrT = attrs.LearningRate * Math.Sqrt(1 - Math.Pow(attrs.Beta2, attrs.Step)) / (1 - Math.Pow(attrs.Beta1, attrs.Step));
        double decay = attrs.LearningRate * weightDecay;
        using var gc = grad.Contiguous();
        Backend.For(op, param).AdamUpdate(param, gc, m, v, lrT, attrs.Beta1, attrs.Beta2, attrs.Epsilon, decay);
    }
}

public static partial class OpCatalog
{
    /// <summary>param, grad, m, v (v is a second moment: non-negative).</summary>
    private static InputSpec[] AdamInputs(Shape shape) => [new(shape), new(shape), new(shape), new(shape, InputKind.Positive)];

    public static readonly OpDef AdamUpdate = new()
    {
        Name = "adam_update", Signature = "param, grad, m, v (param, m, v updated in place)", MutatedInputs = [0, 2, 3],
        Run = (x, a) =>
        {
            Ops.AdamUpdate(x[0], x[1], x[2], x[3], (AdamAttrs)a!);
            return [];
        },
        Cases =
        [
            new("first step, defaults", AdamInputs([37]), new AdamAttrs(1)),
            new("step 10", AdamInputs([3, 5, 7]), new AdamAttrs(10, 0.01, 0.8, 0.99, 1e-3)),
            new("1 x 10M", AdamInputs([10_000_000]), new AdamAttrs(100), Bench: true),
        ],
    };

    public static readonly OpDef AdamWUpdate = new()
    {
        Name = "adamw_update", Signature = "param, grad, m, v (param, m, v updated in place)", MutatedInputs = [0, 2, 3],
        Run = (x, a) =>
        {
            Ops.AdamWUpdate(x[0], x[1], x[2], x[3], (AdamWAttrs)a!);
            return [];
        },
        Cases =
        [
            new("first step, defaults", AdamInputs([37]), new AdamWAttrs(new AdamAttrs(1))),
            new("step 10, strong decay", AdamInputs([3, 5, 7]), new AdamWAttrs(new AdamAttrs(10, 0.01), 0.1)),
            new("1 x 10M", AdamInputs([10_000_000]), new AdamWAttrs(new AdamAttrs(100)), Bench: true),
        ],
    };
}
