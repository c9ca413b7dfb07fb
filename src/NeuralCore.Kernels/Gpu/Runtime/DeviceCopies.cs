using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>The device runtime's own kernels: strided copies (Contiguous, CopyFrom) and fills, by element type.</summary>
internal static class DeviceCopies
{
    /// <summary>dst[i] = src[i] over the shared shape, both views indexed through their layouts (relative to storage).</summary>
    [GpuKernel(Instantiations = [typeof(int)])]
    internal static void StridedCopyKernel<T>(Index1D i, ArrayView<T> src, StridedLayout srcLayout, ArrayView<T> dst, StridedLayout dstLayout)
        where T : unmanaged =>
        dst[dstLayout.PositionOf(i)] = src[srcLayout.PositionOf(i)];

    [GpuKernel(Instantiations = [typeof(int)])]
    internal static void FillKernel<T>(Index1D i, ArrayView<T> data, T value) where T : unmanaged => data[i] = value;

    /// <summary>Copies between two views of equal shape; <typeparamref name="T"/> only needs the element's size.</summary>
    public static void Strided<T>(GpuDevice device, Tensor src, Tensor dst) where T : unmanaged =>
        // Layouts carry the views' offsets, so the kernel gets whole-storage views.
        Typed<T>.Copy.On(device.Accelerator)(src.ElementCount, WholeStorage<T>(src), StridedLayout.Of(src), WholeStorage<T>(dst), StridedLayout.Of(dst));

    /// <summary>Sets every element of a contiguous tensor to <paramref name="value"/> (the element's bits).</summary>
    public static void Fill<T>(GpuDevice device, Tensor t, T value) where T : unmanaged =>
        Typed<T>.Fill.On(device.Accelerator)(t.ElementCount, device.View<T>(t), value);

    private static ArrayView<T> WholeStorage<T>(Tensor t) where T : unmanaged => ((GpuStorage)t.Storage).Bytes.Cast<T>();

    private static class Typed<T> where T : unmanaged
    {
        public static readonly KernelSlot<Action<Index1D, ArrayView<T>, StridedLayout, ArrayView<T>, StridedLayout>> Copy =
            new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, StridedLayout, ArrayView<T>, StridedLayout>(StridedCopyKernel));

        public static readonly KernelSlot<Action<Index1D, ArrayView<T>, T>> Fill =
            new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, T>(FillKernel));
    }
}
