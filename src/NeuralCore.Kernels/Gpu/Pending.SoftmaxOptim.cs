using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

// Placeholders while the SoftmaxOptim kernels are written (each moves to its own op file); this file is then deleted.
public sealed partial class GpuKernels
{
    public void Softmax(Tensor x, bool log, Tensor y) => throw Pending("Softmax");

    public void SoftmaxBackward(Tensor y, Tensor dy, bool log, Tensor dx) => throw Pending("SoftmaxBackward");

    public void SoftmaxCrossEntropy(Tensor logits, Tensor labels, Tensor? classWeights, int? ignoreLabel, Tensor loss, Tensor logSumExp, Tensor weightSum) => throw Pending("SoftmaxCrossEntropy");

    public void SoftmaxCrossEntropyBackward(Tensor logits, Tensor labels, Tensor? classWeights, int? ignoreLabel, Tensor logSumExp, Tensor weightSum, Tensor dLoss, Tensor dLogits) => throw Pending("SoftmaxCrossEntropyBackward");

    public void Argmax(Tensor x, Tensor indices) => throw Pending("Argmax");

    public void SgdUpdate(Tensor param, Tensor grad, Tensor? velocity, SgdAttrs attrs) => throw Pending("SgdUpdate");

    public void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lrT, double beta1, double beta2, double epsilon, double decay) => throw Pending("AdamUpdate");

    public void RmspropUpdate(Tensor param, Tensor grad, Tensor ms, Tensor? mom, Tensor? mg, RmspropAttrs attrs) => throw Pending("RmspropUpdate");
}
