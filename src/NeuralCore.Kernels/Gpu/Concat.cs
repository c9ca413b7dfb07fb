using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// concat, slice_axis and split as copies of row blocks (<see cref="Ops.ConcatBlocks"/>): y is Outer rows, each the
/// pieces' rows side by side. One launch per piece copies its [Outer, width] block into (or out of) its columns of
/// the joined rows; threads run along a row, so reads and writes are both contiguous.
/// </summary>
public sealed partial class GpuKernels
{
    public void Concat(Tensor[] xs, int axis, Tensor y)
    {
        var (outer, widths) = Ops.ConcatBlocks(xs, axis, y.Shape);
        int row = widths.Sum(), column = 0;
        for (int i = 0; i < xs.Length; column += widths[i], i++)
            CopyBlock(xs[i], y, new BlockCopy { Width = widths[i], SrcRow = widths[i], DstRow = row, DstStart = column }, outer);
    }

    public void Slice(Tensor x, int axis, ReadOnlySpan<int> starts, Tensor[] ys)
    {
        var (outer, widths) = Ops.ConcatBlocks(ys, axis, x.Shape);
        int row = x.ElementCount / Math.Max(outer, 1), inner = row / Math.Max(x.Shape[axis], 1);
        for (int i = 0; i < ys.Length; i++)
            CopyBlock(x, ys[i], new BlockCopy { Width = widths[i], SrcRow = row, SrcStart = starts[i] * inner, DstRow = widths[i] }, outer);
    }

    private void CopyBlock(Tensor src, Tensor dst, BlockCopy block, int outer)
    {
        if (outer == 0 || block.Width == 0) return;
        GpuConcat.Copy.On(Device.Accelerator)(outer * block.Width, Device.View<float>(src), Device.View<float>(dst), block);
    }
}

/// <summary>A [outer, Width] block read from rows of SrcRow elements at column SrcStart, written to rows of DstRow at DstStart.</summary>
internal struct BlockCopy
{
    public int Width, SrcRow, SrcStart, DstRow, DstStart;
}

internal static class GpuConcat
{
    public static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, BlockCopy>> Copy =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, BlockCopy>(CopyKernel));

    [GpuKernel]
    internal static void CopyKernel(Index1D i, ArrayView<float> src, ArrayView<float> dst, BlockCopy b)
    {
        int o = i / b.Width, k = i - o * b.Width;
        dst[o * b.DstRow + b.DstStart + k] = src[o * b.SrcRow + b.SrcStart + k];
    }
}
