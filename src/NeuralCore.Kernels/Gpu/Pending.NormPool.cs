using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

// Placeholders while the NormPool kernels are written (each moves to its own op file); this file is then deleted.
public sealed partial class GpuKernels
{
    public void BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, BatchNormAttrs attrs, Tensor y, Tensor saveMean, Tensor saveInvStd) => throw Pending("BatchNorm");

    public void BatchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor saveMean, Tensor saveInvStd, bool training, Tensor dx, Tensor dGamma, Tensor dBeta) => throw Pending("BatchNormBackward");

    public void MaxPool2d(Tensor x, Pool2dAttrs attrs, Tensor y) => throw Pending("MaxPool2d");

    public void MaxPool2dBackward(Tensor x, Tensor dy, Pool2dAttrs attrs, Tensor dx) => throw Pending("MaxPool2dBackward");

    public void AvgPool2d(Tensor x, Pool2dAttrs attrs, Tensor y) => throw Pending("AvgPool2d");

    public void AvgPool2dBackward(Tensor dy, Pool2dAttrs attrs, Tensor dx) => throw Pending("AvgPool2dBackward");

    public void GlobalAvgPool(Tensor x, Tensor y) => throw Pending("GlobalAvgPool");
}
