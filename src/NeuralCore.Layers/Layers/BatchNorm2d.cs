using NeuralCore.Autograd;
using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>
/// Keras BatchNormalization over the channels of x [N, H, W, C]. Parameters "gamma", "beta"; buffers
/// "moving_mean", "moving_variance" (Keras' weight order). The constructor's <c>momentum</c> has Keras' meaning
/// (moving = momentum * moving + (1 - momentum) * batch; default 0.99), converted to the op's PyTorch-style 1 - momentum.
/// Batch statistics are used and the moving ones updated only in training mode on an unfrozen layer: as in TF2
/// Keras, a layer with trainable = False runs in inference mode (frozen encoders keep their ImageNet statistics).
/// </summary>
public sealed class BatchNorm2d : Module
{

    public BatchNorm2d(string name, int channels, double epsilon = 1e-3, double momentum = 0.99) : base(name)
    {
        if (momentum is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(momentum), $"{name}: momentum {momentum} is not in [0, 1]");
        Gamma = AddParameter("gamma", [channels], Initializer.Ones);
        Beta = AddParameter("beta", [channels], Initializer.Zeros);
        MovingMean = AddBuffer("moving_mean", [channels], 0);
        MovingVariance = AddBuffer("moving_variance", [channels], 1);
        Epsilon = epsilon;
        Momentum = momentum;
    }

    public double Epsilon { get; }

    /// <summary>
    /// Keras' momentum (weight of the old moving statistics). Settable because a network trained from scratch
    /// needs faster-moving statistics than the 0.99-0.999 its Keras definition uses for fine-tuning pretrained weights.
    /// </summary>
    public double Momentum
    {
        get;
        set => field = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"{Name}: momentum {value} is not in [0, 1]");
    }

    public Tensor Gamma { get; }

    public Tensor Beta { get; }

    public Tensor MovingMean { get; }

    public Tensor MovingVariance { get; }

    /// <summary>Whether a forward pass now normalises with batch statistics and updates the moving ones.</summary>
    public bool UsesBatchStatistics => Training && !IsFrozen;

    public override Tensor Forward(Tensor x) =>
        Traced(F.BatchNorm(x, Gamma, Beta, MovingMean, MovingVariance, new BatchNormAttrs(UsesBatchStatistics, 1 - Momentum, Epsilon)), x);
}
