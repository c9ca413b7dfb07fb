using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Cpu;

/// <summary>Shapes of an NHWC 2-D pooling, shared by the pooling kernels' work items: where output row
/// (b*OutH + oh) reads, and how a backward pass may split its rows.</summary>
internal readonly struct PoolGeometry(Shape xShape, Shape yShape, Pool2dAttrs attrs)
{
    public readonly int H = xShape[1], W = xShape[2], OutH = yShape[1], OutW = yShape[2], Channels = yShape[3];
    public readonly Pool2dAttrs Attrs = attrs;

    /// <summary>Output rows per parallel task of a backward pass that scatters into dx: windows that do not overlap
    /// vertically write disjoint dx rows, so each output row may run alone; otherwise a task is a whole image.</summary>
    public int RowsPerTask => Attrs.KernelH <= Attrs.StrideH ? 1 : OutH;

    /// <summary>Image and input window [h0, h1) x [w0, w1) of output pixel (row, ow), row = b*OutH + oh.</summary>
    public (int B, int H0, int H1, int W0, int W1) Window(int row, int ow)
    {
        int b = row / OutH;
        var (h0, h1, w0, w1) = Attrs.Window(row - b * OutH, ow, H, W);
        return (b, h0, h1, w0, w1);
    }

    /// <summary>Float offset of input cell (b, ih, iw).</summary>
    public long CellOffset(int b, int ih, int iw) => (((long)b * H + ih) * W + iw) * Channels;
}
