using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>Hyper-parameters of <see cref="Ops.RmspropUpdate"/> with Keras' defaults (tf.keras.optimizers.RMSprop).</summary>
public sealed record RmspropAttrs(double LearningRate = 0.001, double Rho = 0.9, double Momentum = 0, double Epsilon = 1e-7, bool Centered = false)
{
    public override string ToString() => $"lr={LearningRate} rho={Rho} momentum={Momentum} eps={Epsilon}{(Centered ? " centered" : "")}";
}

/// <summary>rmsprop_update: Keras 2 RMSprop as an in-place update of (param, grad, ms, mom, mg).</summary>
public static partial class Ops
{
    /// <summary>
    /// In place, exactly as Keras 2 (tf.keras optimizer_v2/rmsprop.py, _resource_apply_dense):
    /// ms = rho * ms + (1 - rho) * g^2; if Centered, mg = rho * mg + (1 - rho) * g and denom = ms - mg^2, else denom = ms.
    /// Momentum 0: param -= lr * g / (sqrt(denom) + epsilon). Momentum &gt; 0 (TF's ResourceApply[Centered]RMSProp):
    /// mom = momentum * mom + lr * g / sqrt(denom + epsilon); param -= mom. Note the different epsilon placement.
    /// </summary>
    /// <param name="ms">Mean-square state (contiguous, starts at 0).</param>
    /// <param name="mom">Momentum state: required when Momentum &gt; 0, not used (may be null) otherwise.</param>
    /// <param name="mg">Mean-gradient state: required when Centered, not used (may be null) otherwise.</param>
    public static void RmspropUpdate(Tensor param, Tensor grad, Tensor ms, Tensor? mom, Tensor? mg, RmspropAttrs attrs)
    {
        const string op = "rmsprop_update";
        bool withMomentum = attrs.Momentum > 0;
        CheckHyper(op, "learning rate", attrs.LearningRate, 0, double.MaxValue);
        CheckHyper(op, "rho", attrs.Rho, 0, 1, maxExclusive: true);
        CheckHyper(op, "momentum", attrs.Momentum, 0, 1);
        CheckHyper(op, "epsilon", attrs.Epsilon, 0, double.MaxValue);
        OpCheck.That(mom is not null || !withMomentum, op, $"momentum {attrs.Momentum} needs a momentum state shaped like param {param.Describe()}, got none");
        OpCheck.That(mg is not null || !attrs.Centered, op, $"centered RMSprop needs a mean-gradient state shaped like param {param.Describe()}, got none");
        var usedMom = withMomentum ? mom : null;
        var usedMg = attrs.Centered ? mg : null;
        CheckUpdateOperands(op, param, grad, ("ms", ms), ("mom", usedMom), ("mg", usedMg));
        using var gc = grad.Contiguous();
        Backend.For(op, param).RmspropUpdate(param, gc, ms, usedMom, usedMg, attrs);
    }
}

public static partial class OpCatalog
{
    /// <summary>param, grad, ms (non-negative), mom, mg.</summary>
    private static InputSpec[] RmspropInputs(Shape shape) => [new(shape), new(shape), new(shape, InputKind.Positive), new(shape), new(shape)];

    public static readonly OpDef RmspropUpdate = new()
    {
        Name = "rmsprop_update", Signature = "param, grad, ms, mom, mg (param and the used states updated in place)", MutatedInputs = [0, 2, 3, 4],
        Run = (x, a) =>
        {
            var attrs = (RmspropAttrs)a!;
            if (attrs.Centered)
            {
                // A consistent centered state has mg^2 <= ms (ms - mg^2 is a variance); N(0,1) draws need shrinking to be one.
                using var shrunk = Ops.Scale(x[4], 0.1);
                x[4].CopyFrom(shrunk);
            }
            Ops.RmspropUpdate(x[0], x[1], x[2], x[3], x[4], attrs);
            return [];
        },
        Cases =
        [
            new("defaults", RmspropInputs([37]), new RmspropAttrs()),
            new("momentum", RmspropInputs([3, 5, 7]), new RmspropAttrs(0.01, 0.8, 0.9)),
            new("centered", RmspropInputs([3, 5, 7]), new RmspropAttrs(Centered: true)),
            new("centered + momentum", RmspropInputs([3, 5, 7]), new RmspropAttrs(0.01, 0.9, 0.5, 1e-3, true)),
            new("1 x 10M", RmspropInputs([10_000_000]), new RmspropAttrs(), Bench: true),
        ],
    };
}
