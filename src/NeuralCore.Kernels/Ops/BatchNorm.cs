using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>
/// Attributes of batch_norm. <paramref name="Momentum"/> has PyTorch's meaning: running = (1 - m) * running + m * batch
/// (a Keras layer with momentum 0.99 is m = 0.01). <paramref name="Epsilon"/>: Keras 1e-3, PyTorch 1e-5.
/// </summary>
public sealed record BatchNormAttrs(bool Training, double Momentum = 0.1, double Epsilon = 1e-5)
{
    public override string ToString() => $"{(Training ? "train" : "eval")} m={Momentum} eps={Epsilon}";
}

/// <summary>What the batch_norm forward kernel produces: the output and what backward needs.</summary>
/// <param name="Y">Normalised, scaled and shifted x, shape of x.</param>
/// <param name="SaveMean">[C] the mean used to normalise (batch mean in training, running mean in inference).</param>
/// <param name="SaveInvStd">[C] 1 / sqrt(var + eps) with the variance used to normalise (biased batch variance in training).</param>
public readonly record struct BatchNormResult(Tensor Y, Tensor SaveMean, Tensor SaveInvStd);

/// <summary>
/// batch_norm over the last (channel) axis of x [N, H, W, C] (any rank &gt;= 2: statistics over every axis but the
/// last), and its backward kernel batch_norm_backward.
/// </summary>
public static partial class Ops
{
    /// <summary>
    /// Training: normalises with the batch mean and biased variance and updates <paramref name="runningMean"/> and
    /// <paramref name="runningVar"/> in place with the batch mean and the UNBIASED variance (n / (n - 1)), as PyTorch
    /// and TensorFlow's fused batch norm do. Inference: normalises with the running statistics, which stay unchanged.
    /// </summary>
    /// <param name="x">[N, H, W, C]</param>
    /// <param name="gamma">[C] scale</param>
    /// <param name="beta">[C] shift</param>
    /// <param name="runningMean">[C] buffer (contiguous)</param>
    /// <param name="runningVar">[C] buffer (contiguous)</param>
    public static BatchNormResult BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, BatchNormAttrs attrs)
    {
        const string op = "batch_norm";
        int channels = CheckBatchNormArgs(op, x, gamma, beta, runningMean, runningVar);
        int count = x.ElementCount / channels;
        OpCheck.That(attrs.Momentum is >= 0 and <= 1, op, $"momentum must be in [0, 1], got {attrs.Momentum}");
        OpCheck.That(attrs.Epsilon >= 0, op, $"epsilon must be >= 0, got {attrs.Epsilon}");
        OpCheck.That(!attrs.Training || count > 1, op,
            $"training needs more than one value per channel to estimate a variance, got x {x.Describe()}");
        OpCheck.That(runningMean.IsContiguous && runningVar.IsContiguous, op, "running statistics must be contiguous (they are updated in place)");
        var kernels = Backend.For(op, x, gamma, beta, runningMean, runningVar);
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        var mean = Tensor.Empty([channels], x.DType, x.Device);
        var invStd = Tensor.Empty([channels], x.DType, x.Device);
        using var xc = x.Contiguous();
        using var gc = gamma.Contiguous();
        using var bc = beta.Contiguous();
        kernels.BatchNorm(xc, gc, bc, runningMean, runningVar, attrs, y, mean, invStd);
        return new BatchNormResult(y, mean, invStd);
    }

    /// <summary>
    /// Gradients of batch_norm from the forward's saved statistics. <paramref name="training"/> selects the formula:
    /// in training the statistics depend on x (dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)));
    /// in inference they are constants and dx = gamma * invstd * dy. dgamma = sum(dy * xhat), dbeta = sum(dy).
    /// </summary>
    /// <returns>dx [N, H, W, C], dgamma [C], dbeta [C]</returns>
    public static (Tensor DInput, Tensor DGamma, Tensor DBeta) BatchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor saveMean, Tensor saveInvStd, bool training)
    {
        const string op = "batch_norm_backward";
        int channels = CheckBatchNormArgs(op, x, gamma, saveMean, saveInvStd, saveInvStd);
        OpCheck.Shape(op, "dy", dy, x.Shape);
        OpCheck.SameDType(op, dy, "dy", x, "x");
        var kernels = Backend.For(op, dy, x, gamma, saveMean, saveInvStd);
        var dx = Tensor.Empty(x.Shape, x.DType, x.Device);
        var dGamma = Tensor.Empty([channels], x.DType, x.Device);
        var dBeta = Tensor.Empty([channels], x.DType, x.Device);
        using var dyc = dy.Contiguous();
        using var xc = x.Contiguous();
        using var gc = gamma.Contiguous();
        using var mc = saveMean.Contiguous();
        using var ic = saveInvStd.Contiguous();
        kernels.BatchNormBackward(dyc, xc, gc, mc, ic, training, dx, dGamma, dBeta);
        return (dx, dGamma, dBeta);
    }

    /// <summary>Checks x [..., C] and four per-channel [C] tensors of x's dtype; returns C.</summary>
    private static int CheckBatchNormArgs(string op, Tensor x, Tensor gamma, Tensor beta, Tensor mean, Tensor variance)
    {
        OpCheck.Float(op, "x", x);
        OpCheck.That(x.Rank >= 2, op, $"x must be [N, H, W, C] (rank >= 2, channels last), got {x.Describe()}");
        int channels = x.Shape[^1];
        foreach (var (t, name) in new[] { (gamma, "gamma"), (beta, "beta"), (mean, "mean"), (variance, "variance") })
        {
            OpCheck.SameDType(op, x, "x", t, name);
            OpCheck.That(t.Rank == 1 && t.Shape[0] == channels, op, $"{name} must be [C] = [{channels}] for x {x.Describe()}, got {t.Describe()}");
        }
        return channels;
    }
}

public static partial class OpCatalog
{
    public static readonly OpDef BatchNorm = new()
    {
        Name = "batch_norm",
        Signature = "x[N,H,W,C], gamma[C], beta[C], running_mean[C], running_var[C] -> y[N,H,W,C], save_mean[C], save_invstd[C]",
        DifferentiableInputs = [0, 1, 2], MutatedInputs = [3, 4], Tolerance = Tolerance.Accumulating,
        Run = (x, a) =>
        {
            var r = Ops.BatchNorm(x[0], x[1], x[2], x[3], x[4], (BatchNormAttrs)a!);
            return [r.Y, r.SaveMean, r.SaveInvStd];
        },
        Cases =
        [
            new("train", BatchNormInputs([2, 5, 7, 3]), new BatchNormAttrs(true, 0.1, 1e-5)),
            new("train keras eps", BatchNormInputs([3, 4, 3, 5]), new BatchNormAttrs(true, 0.01, 1e-3)),
            new("train [N,C]", BatchNormInputs([6, 4]), new BatchNormAttrs(true, 0.1, 1e-5)),
            new("eval", BatchNormInputs([2, 5, 7, 3]), new BatchNormAttrs(false, 0.1, 1e-3)),
            new("train, split over threads", BatchNormInputs([2, 21, 23, 37]), new BatchNormAttrs(true, 0.1, 1e-5)),
            new("large train", BatchNormInputs([8, 128, 128, 64]), new BatchNormAttrs(true, 0.1, 1e-5), Bench: true),
        ],
    };

    public static readonly OpDef BatchNormBackward = new()
    {
        Name = "batch_norm_backward",
        Signature = "dy[N,H,W,C], x[N,H,W,C], gamma[C], save_mean[C], save_invstd[C] -> dx[N,H,W,C], dgamma[C], dbeta[C]",
        Tolerance = Tolerance.Accumulating,
        Run = (x, a) =>
        {
            var (dx, dGamma, dBeta) = Ops.BatchNormBackward(x[0], x[1], x[2], x[3], x[4], (bool)a!);
            return [dx, dGamma, dBeta];
        },
        Cases =
        [
            new("train", BatchNormBackwardInputs([2, 5, 7, 3]), true),
            new("eval", BatchNormBackwardInputs([3, 4, 3, 5]), false),
            new("train, split over threads", BatchNormBackwardInputs([2, 21, 23, 37]), true),
            new("large train", BatchNormBackwardInputs([8, 128, 128, 64]), true, Bench: true),
        ],
    };

    private static InputSpec[] BatchNormInputs(Shape x)
    {
        Shape c = [x[^1]];
        return [new(x), new(c, InputKind.Positive), new(c), new(c), new(c, InputKind.Positive)];
    }

    private static InputSpec[] BatchNormBackwardInputs(Shape x)
    {
        Shape c = [x[^1]];
        return [new(x), new(x), new(c, InputKind.Positive), new(c), new(c, InputKind.Positive)];
    }
}
