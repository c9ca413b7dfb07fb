using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>Keras 2 RMSprop (plain, momentum, centered), one thread per parameter element, the reference's operation order.</summary>
public sealed partial class GpuKernels
{
    private static readonly KernelSlot<Action<Index1D, RmspropViews, RmspropConstants>> RmspropStep =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, RmspropViews, RmspropConstants>(RmspropKernel));

    public void RmspropUpdate(Tensor param, Tensor grad, Tensor ms, Tensor? mom, Tensor? mg, RmspropAttrs attrs)
    {
        if (param.ElementCount == 0) return;
        var views = new RmspropViews
        {
            Param = Device.View<float>(param), Grad = Device.View<float>(grad), Ms = Device.View<float>(ms),
            Mom = mom is null ? ArrayView<float>.Empty : Device.View<float>(mom),
            Mg = mg is null ? ArrayView<float>.Empty : Device.View<float>(mg),
        };
        var constants = new RmspropConstants
        {
            LearningRate = (float)attrs.LearningRate, Rho = (float)attrs.Rho, Momentum = (float)attrs.Momentum, Epsilon = (float)attrs.Epsilon,
            HasMomentum = mom is null ? 0 : 1, Centered = mg is null ? 0 : 1,
        };
        RmspropStep.On(Device.Accelerator)(param.ElementCount, views, constants);
    }

    /// <summary>
    /// ms = rho ms + (1 - rho) g^2; centered: mg = rho mg + (1 - rho) g, denom = ms - mg^2. Without momentum
    /// p -= lr g / (sqrt(denom) + eps); with it mom = momentum mom + lr g / sqrt(denom + eps), p -= mom.
    /// </summary>
    [GpuKernel]
    internal static void RmspropKernel(Index1D i, RmspropViews s, RmspropConstants c)
    {
        float g = s.Grad[i];
        float ms = c.Rho * s.Ms[i] + (1f - c.Rho) * g * g;
        s.Ms[i] = ms;
        float denom = ms;
        if (c.Centered != 0)
        {
            float mg = c.Rho * s.Mg[i] + (1f - c.Rho) * g;
            s.Mg[i] = mg;
            denom -= mg * mg;
        }
        if (c.HasMomentum == 0)
        {
            s.Param[i] -= c.LearningRate * g / (XMath.Sqrt(denom) + c.Epsilon);
            return;
        }
        float mom = c.Momentum * s.Mom[i] + c.LearningRate * g / XMath.Sqrt(denom + c.Epsilon);
        s.Mom[i] = mom;
        s.Param[i] -= mom;
    }
}

/// <summary>The tensors one RMSprop update reads and writes (Mom and Mg empty when unused).</summary>
internal struct RmspropViews
{
    public ArrayView<float> Param, Grad, Ms, Mom, Mg;
}

internal struct RmspropConstants
{
    public float LearningRate, Rho, Momentum, Epsilon;
    public int HasMomentum, Centered;
}
