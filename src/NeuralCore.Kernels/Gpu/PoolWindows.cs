using ILGPU;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// The geometry of an NHWC 2-D pooling for its kernels: x [N, H, W, C] -> y [N, OH, OW, C]. Forward kernels run
/// one thread per output element and walk its window; backward kernels run one thread per input cell and gather
/// from the windows that contain it (<see cref="CoveringRows"/>, <see cref="CoveringColumns"/>), in increasing output
/// order, which is the order in which the reference adds them: no two threads write one cell, no atomics.
/// </summary>
internal struct PoolWindows
{
    public int H, W, C, OutH, OutW, KernelH, KernelW, StrideH, StrideW, PadTop, PadLeft;

    public static PoolWindows Of(Shape xShape, Shape yShape, Pool2dAttrs a) => new()
    {
        H = xShape[1], W = xShape[2], C = xShape[3], OutH = yShape[1], OutW = yShape[2],
        KernelH = a.KernelH, KernelW = a.KernelW, StrideH = a.StrideH, StrideW = a.StrideW, PadTop = a.PadTop, PadLeft = a.PadLeft,
    };

    /// <summary>Output element i's image, window position and channel.</summary>
    public readonly (int N, int OH, int OW, int C) Output(int i)
    {
        int cell = i / C, row = cell / OutW, n = row / OutH;
        return (n, row - n * OutH, cell - row * OutW, i - cell * C);
    }

    /// <summary>Input element i's image, row, column and channel.</summary>
    public readonly (int N, int H, int W, int C) Input(int i)
    {
        int cell = i / C, row = cell / W, n = row / H;
        return (n, row - n * H, cell - row * W, i - cell * C);
    }

    /// <summary>The real (unpadded) input rows [first, end) of window row oh.</summary>
    public readonly (int First, int End) Rows(int oh)
    {
        int start = oh * StrideH - PadTop;
        return (Math.Max(start, 0), Math.Min(start + KernelH, H));
    }

    /// <summary>The real (unpadded) input columns [first, end) of window column ow.</summary>
    public readonly (int First, int End) Columns(int ow)
    {
        int start = ow * StrideW - PadLeft;
        return (Math.Max(start, 0), Math.Min(start + KernelW, W));
    }

    /// <summary>The window rows [first, last] whose window contains input row ih.</summary>
    public readonly (int First, int Last) CoveringRows(int ih) => Covering(ih + PadTop, KernelH, StrideH, OutH);

    /// <summary>The window columns [first, last] whose window contains input column iw.</summary>
    public readonly (int First, int Last) CoveringColumns(int iw) => Covering(iw + PadLeft, KernelW, StrideW, OutW);

    /// <summary>Flat index of output (n, oh, ow, c).</summary>
    public readonly int OutputIndex(int n, int oh, int ow, int c) => ((n * OutH + oh) * OutW + ow) * C + c;

    /// <summary>Flat index of input (n, ih, iw, c).</summary>
    public readonly int InputIndex(int n, int ih, int iw, int c) => ((n * H + ih) * W + iw) * C + c;

    /// <summary>Windows o with o * stride &lt;= padded &lt; o * stride + kernel, clamped to [0, outputs).</summary>
    private static (int First, int Last) Covering(int padded, int kernel, int stride, int outputs)
    {
        int low = padded - kernel + 1;
        int first = low <= 0 ? 0 : (low + stride - 1) / stride;
        return (first, Math.Min(padded / stride, outputs - 1));
    }
}
