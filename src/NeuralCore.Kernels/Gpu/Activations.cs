using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>relu, relu6, leaky_relu, sigmoid, tanh (and identity) and their backward: the reference's formulas, one thread per element.</summary>
public sealed partial class GpuKernels
{
    public void Activate(Activation act, double alpha, Tensor x, Tensor y)
    {
        if (y.ElementCount == 0) return;
        GpuActivations.Forward.On(Device.Accelerator)(y.ElementCount, Device.View<float>(x), Device.View<float>(y), (int)act, (float)alpha);
    }

    public void ActivationBackward(Activation act, double alpha, Tensor x, Tensor y, Tensor dy, Tensor dx)
    {
        if (dx.ElementCount == 0) return;
        GpuActivations.Backward.On(Device.Accelerator)(dx.ElementCount, Device.View<float>(x), Device.View<float>(y),
            Device.View<float>(dy), Device.View<float>(dx), (int)act, (float)alpha);
    }
}

internal static class GpuActivations
{
    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, int, float>> Forward =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, float>(ForwardKernel));

    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>> Backward =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(BackwardKernel));

    [GpuKernel]
    internal static void ForwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> y, int act, float alpha) => y[i] = Apply(act, x[i], alpha);

    [GpuKernel]
    internal static void BackwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, int act, float alpha) =>
        dx[i] = dy[i] * Derivative(act, x[i], y[i], alpha);

    /// <summary>ReferenceActivations.Apply in float32 (act is the same for every thread: no divergence).</summary>
    private static float Apply(int act, float x, float alpha) => act switch
    {
        (int)Activation.Relu => x > 0f ? x : 0f,
        (int)Activation.Relu6 => x <= 0f ? 0f : x >= 6f ? 6f : x,
        (int)Activation.LeakyRelu => x > 0f ? x : alpha * x,
        (int)Activation.Sigmoid => 1f / (1f + MathF.Exp(-x)),
        (int)Activation.Tanh => MathF.Tanh(x),
        _ => x,
    };

    /// <summary>ReferenceActivations.Derivative: relu's kink at 0 takes derivative 0, sigmoid and tanh use the output.</summary>
    private static float Derivative(int act, float x, float y, float alpha) => act switch
    {
        (int)Activation.Relu => x > 0f ? 1f : 0f,
        (int)Activation.Relu6 => x > 0f && x < 6f ? 1f : 0f,
        (int)Activation.LeakyRelu => x > 0f ? 1f : alpha,
        (int)Activation.Sigmoid => y * (1f - y),
        (int)Activation.Tanh => 1f - y * y,
        _ => 1f,
    };
}
