using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>
/// Hyper-parameters of <see cref="Ops.SgdUpdate"/>, with Keras' defaults (tf.keras.optimizers.SGD: learning rate
/// 0.01, momentum 0, no Nesterov). <paramref name="WeightDecay"/> is an L2 term added to the gradient.
/// </summary>
public sealed record SgdAttrs(double LearningRate = 0.01, double Momentum = 0, bool Nesterov = false, double WeightDecay = 0)
{
    public override string ToString() => $"lr={LearningRate} momentum={Momentum}{(Nesterov ? " nesterov" : "")} wd={WeightDecay}";
}

/// <summary>sgd_update: Keras SGD as an in-place update of (param, grad, velocity).</summary>
public static partial class Ops
{
    /// <summary>
    /// In place: g' = grad + WeightDecay * param; with a velocity v = Momentum * v - lr * g' and param += v (Nesterov:
    /// param += Momentum * v - lr * g'), as Keras' ResourceApplyKerasMomentum; without one, param -= lr * g'.
    /// </summary>
    /// <param name="param">Updated in place (contiguous).</param>
    /// <param name="velocity">Momentum state, same shape (contiguous, starts at 0): required when Momentum &gt; 0, may be null otherwise.</param>
    public static void SgdUpdate(Tensor param, Tensor grad, Tensor? velocity, SgdAttrs attrs)
    {
        const string op = "sgd_update";
        CheckUpdateOperands(op, param, grad, ("velocity", velocity));
        CheckHyper(op, "learning rate", attrs.LearningRate, 0, double.MaxValue);
        CheckHyper(op, "momentum", attrs.Momentum, 0, 1);
        CheckHyper(op, "weight decay", attrs.WeightDecay, 0, double.MaxValue);
        OpCheck.That(velocity is not null || attrs.Momentum == 0, op, $"momentum {attrs.Momentum} needs a velocity state shaped like param {param.Describe()}, got none");
        using var gc = grad.Contiguous();
        Backend.For(op, param).SgdUpdate(param, gc, velocity, attrs);
    }
}

public static partial class OpCatalog
{
    public static readonly OpDef SgdUpdate = new()
    {
        Name = "sgd_update", Signature = "param, grad, velocity (param and velocity updated in place)", MutatedInputs = [0, 2],
        Run = (x, a) =>
        {
            var attrs = (SgdAttrs)a!;
            Ops.SgdUpdate(x[0], x[1], attrs.Momentum == 0 ? null : x[2], attrs);
            return [];
        },
        Cases =
        [
            new("plain", [new([37]), new([37]), new([37])], new SgdAttrs(0.1)),
            new("momentum", [new([3, 5, 7]), new([3, 5, 7]), new([3, 5, 7])], new SgdAttrs(0.05, 0.9)),
            new("nesterov + L2", [new([3, 5, 7]), new([3, 5, 7]), new([3, 5, 7])], new SgdAttrs(0.05, 0.9, true, 1e-3)),
            new("1 x 10M momentum", [new([10_000_000]), new([10_000_000]), new([10_000_000])], new SgdAttrs(0.01, 0.9), Bench: true),
        ],
    };
}
