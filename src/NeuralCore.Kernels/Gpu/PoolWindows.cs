using ILGPU;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// The geometry of an NHWC 2-D pooling for its kernels: x [N, H, W, C] -> y [N, OH, OW, C]. Forward kernels run
/// one thread per output element and walk its window; backward kernels run one thread per input cell and gather
/// from the windows that contain it (<see cref="WindowsContaining"/>), in increasing output
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

    /// <summary>Output element i's image, channel, and the real input rows [H0, H1) and columns [W0, W1) of its window.</summary>
    public readonly (int N, int C, int H0, int H1, int W0, int W1) WindowOf(int i)
    {
        int cell = i / C, row = cell / OutW, n = row / OutH;
        var (h0, h1) = Rows(row - n * OutH);
        var (w0, w1) = Columns(cell - row * OutW);
        return (n, i - cell * C, h0, h1, w0, w1);
    }

    /// <summary>Input element j's image, channel, and the windows [OH0, OH1] x [OW0, OW1] that contain it.</summary>
    public readonly (int N, int C, int OH0, int OH1, int OW0, int OW1) WindowsContaining(int j)
    {
        int cell = j / C, row = cell / W, n = row / H;
        var (oh0, oh1) = Covering(row - n * H + PadTop, KernelH, StrideH, OutH);
        var (ow0, ow1) = Covering(cell - row * W + PadLeft, KernelW, StrideW, OutW);
        return (n, j - cell * C, oh0, oh1, ow0, ow1);
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
