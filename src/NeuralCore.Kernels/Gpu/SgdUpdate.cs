using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>Keras SGD, one thread per parameter element, the reference's operation order (so results agree to the ulp).</summary>
public sealed partial class GpuKernels
{
    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdConstants>> SgdStep =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdConstants>(SgdKernel));

    public void SgdUpdate(Tensor param, Tensor grad, Tensor? velocity, SgdAttrs attrs)
    {
        if (param.ElementCount == 0) return;
        var constants = new SgdConstants
        {
            LearningRate = (float)attrs.LearningRate, Momentum = (float)attrs.Momentum, WeightDecay = (float)attrs.WeightDecay,
            HasVelocity = velocity is null ? 0 : 1, Nesterov = attrs.Nesterov ? 1 : 0,
        };
        SgdStep.On(Device.Accelerator)(param.ElementCount, Device.View<float>(param), Device.View<float>(grad),
            velocity is null ? ArrayView<float>.Empty : Device.View<float>(velocity), constants);
    }

    /// <summary>g' = g + decay * p; p -= lr * g', or v = momentum * v - lr * g' and p += v (Nesterov: p += momentum * v - lr * g').</summary>
    [GpuKernel]
    internal static void SgdKernel(Index1D i, ArrayView<float> param, ArrayView<float> grad, ArrayView<float> velocity, SgdConstants c)
    {
        float g = grad[i] + c.WeightDecay * param[i];
        if (c.HasVelocity == 0)
        {
            param[i] -= c.LearningRate * g;
            return;
        }
        float v = c.Momentum * velocity[i] - c.LearningRate * g;
        velocity[i] = v;
        param[i] += c.Nesterov != 0 ? c.Momentum * v - c.LearningRate * g : v;
    }
}

internal struct SgdConstants
{
    public float LearningRate, Momentum, WeightDecay;
    public int HasVelocity, Nesterov;
}
