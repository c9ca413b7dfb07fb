using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>add, sub, mul, div with broadcasting, scale and accumulate: one thread per output element, one pass over memory.</summary>
public sealed partial class GpuKernels
{
    public void Binary(BinaryOp kind, Tensor a, Tensor b, Tensor y)
    {
        if (y.ElementCount == 0) return;
        var indices = new BinaryOperands { A = BroadcastIndex.For(a, y.Shape), B = BroadcastIndex.For(b, y.Shape), Op = (int)kind };
        GpuElementwise.Binary.On(Device.Accelerator)(y.ElementCount, Device.View<float>(a), Device.View<float>(b), Device.View<float>(y), indices);
    }

    public void Scale(Tensor x, double factor, Tensor y)
    {
        if (y.ElementCount == 0) return;
        GpuElementwise.Scale.On(Device.Accelerator)(y.ElementCount, Device.View<float>(x), (float)factor, Device.View<float>(y));
    }

    public void Accumulate(Tensor dst, Tensor src)
    {
        if (dst.ElementCount == 0) return;
        GpuElementwise.Accumulate.On(Device.Accelerator)(dst.ElementCount, Device.View<float>(dst), Device.View<float>(src));
    }
}

/// <summary>Which arithmetic a binary launch does and how it reads each operand.</summary>
internal struct BinaryOperands
{
    public BroadcastIndex A, B;
    public int Op;
}

internal static class GpuElementwise
{
    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BinaryOperands>> Binary =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BinaryOperands>(BinaryKernel));

    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, float, ArrayView<float>>> Scale =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, ArrayView<float>>(ScaleKernel));

    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>>> Accumulate =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(AccumulateKernel));

    /// <summary>y[i] = a[..] (op) b[..]; the op is the same for every thread, so the branch does not diverge.</summary>
    [GpuKernel]
    internal static void BinaryKernel(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, BinaryOperands p)
    {
        float u = a[p.A.Of(i)], v = b[p.B.Of(i)];
        y[i] = p.Op switch
        {
            (int)BinaryOp.Add => u + v,
            (int)BinaryOp.Sub => u - v,
            (int)BinaryOp.Mul => u * v,
            _ => u / v,
        };
    }

    [GpuKernel]
    internal static void ScaleKernel(Index1D i, ArrayView<float> x, float factor, ArrayView<float> y) => y[i] = x[i] * factor;

    [GpuKernel]
    internal static void AccumulateKernel(Index1D i, ArrayView<float> dst, ArrayView<float> src) => dst[i] += src[i];
}
