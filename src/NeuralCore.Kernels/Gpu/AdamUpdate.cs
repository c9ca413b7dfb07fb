using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>Keras Adam / AdamW (TensorFlow's epsilon-hat form), one thread per parameter element, the reference's operation order.</summary>
public sealed partial class GpuKernels
{
    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamConstants>> AdamStep =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamConstants>(AdamKernel));

    public void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lrT, double beta1, double beta2, double epsilon, double decay)
    {
        if (param.ElementCount == 0) return;
        var constants = new AdamConstants
        {
            LrT = (float)lrT, Beta1 = (float)beta1, Beta2 = (float)beta2, Epsilon = (float)epsilon, Decay = (float)decay,
        };
        AdamStep.On(Device.Accelerator)(param.ElementCount, Device.View<float>(param), Device.View<float>(grad), Device.View<float>(m),
            Device.View<float>(v), constants);
    }

    /// <summary>p -= decay * p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lrT * m / (sqrt(v) + eps).</summary>
    [GpuKernel]
    internal static void AdamKernel(Index1D i, ArrayView<float> param, ArrayView<float> grad, ArrayView<float> m, ArrayView<float> v, AdamConstants c)
    {
        float g = grad[i];
        float p = param[i];
        p -= c.Decay * p;
        float mi = c.Beta1 * m[i] + (1f - c.Beta1) * g;
        float vi = c.Beta2 * v[i] + (1f - c.Beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        param[i] = p - c.LrT * mi / (XMath.Sqrt(vi) + c.Epsilon);
    }
}

internal struct AdamConstants
{
    public float LrT, Beta1, Beta2, Epsilon, Decay;
}
