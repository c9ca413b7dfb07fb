using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

public static partial class F
{
    /// <summary>
    /// Batch normalisation over the channel (last) axis of x [N, H, W, C]; see <see cref="Ops.BatchNorm"/>. In training
    /// the running statistics (buffers, never differentiated) are updated in place. Gradients flow to x, gamma, beta.
    /// </summary>
    public static Tensor BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, BatchNormAttrs attrs)
    {
        var (y, saveMean, saveInvStd) = Ops.BatchNorm(x, gamma, beta, runningMean, runningVar, attrs);
        // Inference-mode backward uses the same kernel: the statistics are constants there, so dx is a per-channel scale.
        Tape.Record("batch_norm", y, [x, gamma, beta], [x, gamma, saveMean, saveInvStd], (dy, needs, saved) =>
        {
            var (dx, dGamma, dBeta) = Ops.BatchNormBackward(dy, saved[0]!, saved[1]!, saved[2]!, saved[3]!, attrs.Training);
            return [Keep(dx, needs[0]), Keep(dGamma, needs[1]), Keep(dBeta, needs[2])];
        });
        // The statistics live on in the node if it was recorded.
        saveMean.Dispose();
        saveInvStd.Dispose();
        return y;
    }

    /// <summary>Returns <paramref name="grad"/> when its input wants a gradient; disposes it and returns null otherwise.</summary>
    private static Tensor? Keep(Tensor grad, bool needed)
    {
        if (needed) return grad;
        grad.Dispose();
        return null;
    }
}
