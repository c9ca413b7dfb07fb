using NeuralCore.Kernels.Reference;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// conv2d's three passes (and so conv_transpose2d's, which are the same passes with roles swapped) on the Cpu
/// backend, float32, NHWC activations and HWIO weights. Paths:
/// <list type="bullet">
/// <item>1x1, stride 1, unpadded: plain <see cref="Gemm.Sgemm(bool, bool, int, int, int, float, float*, int, float*, int, float, float*, int)"/>
/// (y = x W, dx = dy W^T, dW = x^T dy over the [N*H*W, C] pixel matrices).</item>
/// <item>Any other ungrouped convolution: implicit GEMM (<see cref="ConvGemm"/>; the weight gradient computed
/// transposed, dW^T = dy^T im2col(x), by <see cref="ConvGemmWeightGrad"/>). The input gradient is split into
/// stride phases (sub-pixel decomposition): the input pixels with ih = ch (mod stride) receive only the taps kh
/// with kh*dilation = ch + pad (mod stride), so each phase is a stride-1 implicit GEMM over dy with just those
/// taps and no multiplications by inserted zeros.</item>
/// <item>A result at most <see cref="ConvGemmNarrow.MaxN"/> channels wide (a 3-class logits layer's forward pass,
/// or the input gradient of a layer reading an RGB image): <see cref="ConvGemmNarrow"/>, dot products instead of
/// a GEMM padded to its 32-wide panels.</item>
/// <item>3x3 stride 1 (forward and input gradient) with at least <see cref="WinogradMinChannels"/> channels on both
/// sides and <see cref="WinogradMinTiles"/> tiles: Winograd F(4x4, 3x3) (<see cref="WinogradConv"/>) unless
/// <see cref="ConvAlgorithmSetting"/> says direct.</item>
/// <item>Depthwise (groups == InC == OutC): <see cref="CpuDepthwiseConv2d"/>.</item>
/// </list>
/// Grouped convolutions that are not depthwise, and depthwise with a channel multiplier above 1, are left to the
/// reference loops (<see cref="TryRun"/> returns false).
/// </summary>
internal static unsafe class CpuConv2d
{
    public static bool TryRun(ConvPass pass, Conv2dGeometry g, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> result)
    {
        bool depthwise = g.Groups == g.InC && g.OutC == g.InC;
        if (g.Groups != 1 && !depthwise) return false;
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pr = result)
        {
            if (depthwise) CpuDepthwiseConv2d.Run(pass, g, pa, pb, pr);
            else if (IsPointwise(g) && !(pass == ConvPass.Forward && g.OutC <= ConvGemmNarrow.MaxN)) Pointwise(pass, g, pa, pb, pr);
            else if (pass != ConvPass.BackwardWeight && UsesWinograd(g) is { } tile)
            {
                if (pass == ConvPass.Forward) WinogradConv.Forward(tile, g, pa, pb, pr);
                else WinogradConv.BackwardInput(tile, g, pa, pb, pr);
            }
            else if (pass == ConvPass.Forward) Forward(g, pa, pb, pr);
            else if (pass == ConvPass.BackwardInput) BackwardInput(g, pa, pb, pr);
            else BackwardWeight(g, pa, pb, pr);
        }
        return true;
    }

    /// <summary>Fewest input and output channels for which Winograd F(4,3) beat implicit GEMM in every measured
    /// case (1.3-1.4x at 16 and 32 channels; `bench winograd-time`).</summary>
    public const int WinogradMinChannels = 16;

    /// <summary>Fewest tiles per call: the filter transform costs about as much as the products of ~50 tiles, so
    /// small images with many channels (8x8x256 at batch 8: 32 tiles) lose.</summary>
    public const int WinogradMinTiles = 64;

    /// <summary>The Winograd tile for a convolution <see cref="WinogradConv"/> serves, or null for the direct path.
    /// F(4x4, 3x3): see OPS.md for its speed and rounding error against F(2x2, 3x3) and direct.</summary>
    private static WinogradTile? UsesWinograd(Conv2dGeometry g) =>
        ConvAlgorithmSetting.WinogradAllowed && WinogradConv.Fits(g)
        && g.InC >= WinogradMinChannels && g.OutC >= WinogradMinChannels
        && WinogradConv.Tiles(WinogradTile.F4, g) >= WinogradMinTiles
            ? WinogradTile.F4
            : null;

    /// <summary>A 1x1 stride-1 convolution without padding: every pixel is a row of a plain matrix product.</summary>
    private static bool IsPointwise(Conv2dGeometry g) =>
        g.KernelH == 1 && g.KernelW == 1 && g.Stride == (1, 1) && g.PadTop == 0 && g.PadLeft == 0
        && g.OutH == g.InH && g.OutW == g.InW;

    private static void Pointwise(ConvPass pass, Conv2dGeometry g, float* a, float* b, float* result)
    {
        int pixels = g.Batch * g.InH * g.InW, cin = g.InC, cout = g.OutC;
        switch (pass)
        {
            case ConvPass.Forward: // y [P, Cout] = x [P, Cin] * w [Cin, Cout]
                Gemm.Sgemm(false, false, pixels, cout, cin, 1f, a, cin, b, cout, 0f, result, cout);
                break;
            case ConvPass.BackwardInput: // dx [P, Cin] = dy [P, Cout] * w^T
                Gemm.Sgemm(false, true, pixels, cin, cout, 1f, a, cout, b, cout, 0f, result, cin);
                break;
            default: // dw [Cin, Cout] = x^T * dy
                Gemm.Sgemm(true, false, cin, cout, pixels, 1f, a, cin, b, cout, 0f, result, cout);
                break;
        }
    }

    /// <summary>The im2col rows of the forward pass: one per output pixel, one run of InC channels per tap.</summary>
    private static ConvRowSource ForwardRows(Conv2dGeometry g, float* x, int* offH, int* offW)
    {
        for (int kh = 0, t = 0; kh < g.KernelH; kh++)
            for (int kw = 0; kw < g.KernelW; kw++, t++)
            {
                offH[t] = kh * g.Dilation.H - g.PadTop;
                offW[t] = kw * g.Dilation.W - g.PadLeft;
            }
        return new ConvRowSource(x, g.Batch, g.OutH, g.OutW, g.InH, g.InW, g.InC, g.Stride.H, g.Stride.W,
            g.KernelH * g.KernelW, offH, offW);
    }

    /// <summary>y = im2col(x) [P, KH*KW*InC] * w [KH*KW*InC, OutC] (the HWIO weight as it is stored).</summary>
    private static void Forward(Conv2dGeometry g, float* x, float* w, float* y)
    {
        int taps = g.KernelH * g.KernelW;
        int* offH = stackalloc int[taps];
        int* offW = stackalloc int[taps];
        var rows = ForwardRows(g, x, offH, offW);
        var sink = new ConvRowSink(y, g.OutH, g.OutW, g.OutH, g.OutW, g.OutC, 0, 0, 1, 1);
        if (g.OutC <= ConvGemmNarrow.MaxN) ConvGemmNarrow.RunRows(rows, new DenseB(w, g.OutC), g.OutC, sink);
        else ConvGemm.RunRows(GemmBlocking.KernelFor(g.OutC), rows, new DenseB(w, g.OutC), g.OutC, sink);
    }

    /// <summary>dw [KH*KW*InC, OutC] = im2col(x)^T * dy [P, OutC].</summary>
    private static void BackwardWeight(Conv2dGeometry g, float* x, float* dy, float* dw)
    {
        int taps = g.KernelH * g.KernelW;
        int* offH = stackalloc int[taps];
        int* offW = stackalloc int[taps];
        var rows = ForwardRows(g, x, offH, offW);
        ConvGemmWeightGrad.Run(GemmBlocking.KernelFor(rows.K), rows, dy, g.OutC, dw); // tile columns run along K
    }

    /// <summary>dx, one stride phase (ch, cw) at a time: see the class summary.</summary>
    private static void BackwardInput(Conv2dGeometry g, float* dy, float* w, float* dx)
    {
        int* kernelRows = stackalloc int[g.KernelH];
        int* kernelCols = stackalloc int[g.KernelW];
        int* rowOffsets = stackalloc int[g.KernelH];
        int* colOffsets = stackalloc int[g.KernelW];
        int taps = g.KernelH * g.KernelW;
        int* offH = stackalloc int[taps];
        int* offW = stackalloc int[taps];
        int* weightTaps = stackalloc int[taps];
        for (int ch = 0; ch < g.Stride.H; ch++)
        {
            int gridH = GridSize(g.InH, ch, g.Stride.H);
            int usedRows = PhaseTaps(ch, g.PadTop, g.KernelH, g.Dilation.H, g.Stride.H, kernelRows, rowOffsets);
            for (int cw = 0; cw < g.Stride.W; cw++)
            {
                int gridW = GridSize(g.InW, cw, g.Stride.W);
                if (gridH == 0 || gridW == 0) continue;
                int usedCols = PhaseTaps(cw, g.PadLeft, g.KernelW, g.Dilation.W, g.Stride.W, kernelCols, colOffsets);
                var sink = new ConvRowSink(dx, gridH, gridW, g.InH, g.InW, g.InC, ch, cw, g.Stride.H, g.Stride.W);
                if (usedRows * usedCols == 0)
                {
                    ClearPhase(sink, g.Batch);
                    continue;
                }
                for (int i = 0, t = 0; i < usedRows; i++)
                    for (int j = 0; j < usedCols; j++, t++)
                    {
                        offH[t] = rowOffsets[i];
                        offW[t] = colOffsets[j];
                        weightTaps[t] = kernelRows[i] * g.KernelW + kernelCols[j];
                    }
                var rows = new ConvRowSource(dy, g.Batch, gridH, gridW, g.OutH, g.OutW, g.OutC, 1, 1,
                    usedRows * usedCols, offH, offW);
                var b = new TapTransposedB(w, g.InC, g.OutC, weightTaps);
                if (g.InC <= ConvGemmNarrow.MaxN) ConvGemmNarrow.RunRows(rows, b, g.InC, sink);
                else ConvGemm.RunRows(GemmBlocking.KernelFor(g.InC), rows, b, g.InC, sink);
            }
        }
    }

    /// <summary>How many of 0 .. size-1 are congruent to <paramref name="phase"/> modulo <paramref name="stride"/>.</summary>
    private static int GridSize(int size, int phase, int stride) => phase < size ? (size - phase + stride - 1) / stride : 0;

    /// <summary>
    /// The kernel taps along one axis that reach input index i = phase + j*stride: output index
    /// o = (i + pad - k*dilation) / stride must be whole, so (phase + pad - k*dilation) mod stride == 0, and then
    /// o = j + offset with offset = (phase + pad - k*dilation) / stride. Returns the count; fills taps and offsets.
    /// </summary>
    private static int PhaseTaps(int phase, int pad, int kernel, int dilation, int stride, int* taps, int* offsets)
    {
        int count = 0;
        for (int k = 0; k < kernel; k++)
        {
            int shift = phase + pad - k * dilation;
            if (((shift % stride) + stride) % stride != 0) continue;
            taps[count] = k;
            offsets[count++] = shift / stride;
        }
        return count;
    }

    /// <summary>Zeroes the input pixels of a phase that no tap reaches (a 1x1 kernel with stride 2, say).</summary>
    private static void ClearPhase(in ConvRowSink sink, int batch)
    {
        int rows = batch * sink.GridH * sink.GridW;
        for (int m = 0; m < rows; m++) new Span<float>(sink.Row(m), sink.DstC).Clear();
    }
}
