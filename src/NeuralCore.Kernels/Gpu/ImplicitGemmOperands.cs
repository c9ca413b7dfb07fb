using ILGPU;

namespace NeuralCore.Kernels.Gpu;

/// <summary>What the tile kernel's operands are: a matmul's matrices or one pass of a dense (groups 1) convolution.</summary>
internal enum GemmOperands
{
    /// <summary>A [M, K] (or [K, M]), B [K, N] (or [N, K]), batched over the grid's z.</summary>
    Matmul,

    /// <summary>Rows: output pixels; k: (kh, kw, ci) gathered from the NHWC input with padding; columns: Cout.</summary>
    ConvForward,

    /// <summary>Rows: input pixels; k: (kh, kw, co) of the output pixels that read them; columns: Cin.</summary>
    ConvBackwardInput,

    /// <summary>dW^T: rows (kh, kw, ci), k: output pixels (the split sum), columns: Cout.</summary>
    ConvBackwardWeight,
}

/// <summary>The integer geometry of a convolution, in the plain fields a kernel parameter needs.</summary>
internal struct ConvDims
{
    public int Batch, InH, InW, InC, OutH, OutW, OutC, KernelH, KernelW, StrideH, StrideW, DilationH, DilationW, PadTop, PadLeft, Groups;

    public static ConvDims Of(Conv2dGeometry g) => new()
    {
        Batch = g.Batch, InH = g.InH, InW = g.InW, InC = g.InC, OutH = g.OutH, OutW = g.OutW, OutC = g.OutC,
        KernelH = g.KernelH, KernelW = g.KernelW, StrideH = g.Stride.H, StrideW = g.Stride.W,
        DilationH = g.Dilation.H, DilationW = g.Dilation.W, PadTop = g.PadTop, PadLeft = g.PadLeft, Groups = g.Groups,
    };

    public readonly int InCPerGroup => InC / Groups;

    public readonly int OutCPerGroup => OutC / Groups;

    /// <summary>Element offset of input pixel (n, ih, iw)'s channel row, or -1 where (ih, iw) is padding.</summary>
    public readonly int InPixelAt(int n, int ih, int iw) =>
        ih < 0 || ih >= InH || iw < 0 || iw >= InW ? -1 : ((n * InH + ih) * InW + iw) * InC;

    /// <summary>Input pixel row read by output pixel <paramref name="outPixel"/> (n*OH*OW + oh*OW + ow) at tap (kh, kw), or -1 for padding.</summary>
    public readonly int InPixelOf(int outPixel, int kh, int kw)
    {
        int ow = outPixel % OutW, rest = outPixel / OutW;
        int oh = rest % OutH, n = rest / OutH;
        return InPixelAt(n, oh * StrideH - PadTop + kh * DilationH, ow * StrideW - PadLeft + kw * DilationW);
    }

    /// <summary>Output pixel row that reads input pixel <paramref name="inPixel"/> (n*H*W + ih*W + iw) at tap (kh, kw), or -1 when none does.</summary>
    public readonly int OutPixelOf(int inPixel, int kh, int kw)
    {
        int iw = inPixel % InW, rest = inPixel / InW;
        int ih = rest % InH, n = rest / InH;
        int th = ih + PadTop - kh * DilationH, tw = iw + PadLeft - kw * DilationW;
        if (th < 0 || tw < 0 || th % StrideH != 0 || tw % StrideW != 0) return -1;
        int oh = th / StrideH, ow = tw / StrideW;
        return oh >= OutH || ow >= OutW ? -1 : ((n * OutH + oh) * OutW + ow) * OutC;
    }
}

/// <summary>One launch of the tile kernel: C[z] (M x N, row-major) = A[z] (M x K) * B[z] (K x N), K cut into Splits chunks.</summary>
internal struct GemmParams
{
    public GemmOperands Operands;
    public int M, N, K;
    /// <summary>Split s of z sums k in [s * KChunk, min(K, (s + 1) * KChunk)) into C[z] = C[batch * Splits + s].</summary>
    public int Splits, KChunk;
    /// <summary>1 where the operand's consecutive k are consecutive in memory: the tile is then staged along k (coalesced reads).</summary>
    public int AAlongK, BAlongK;
    public int TransposeA, TransposeB;
    /// <summary>
    /// 1: the tensor-core path (TF32 operands, m16n8k8 warp tiles): mma.sync on CUDA, elsewhere the same data movement
    /// with the instruction emulated by a fragment exchange (a test's check of the fragment layouts). 0: the plain FP32 path.
    /// </summary>
    public int TensorCores;
    public ConvDims Conv;

    /// <summary>
    /// The part of a convolution's A row index that every k shares, decomposed once per tile into rows[3r..3r+2]:
    /// forward (n*H, oh*strideH - top, ow*strideW - left) of output pixel row; input gradient (n*OH, ih + top,
    /// iw + left) of input pixel row; weight gradient (kh*dilationH - top, kw*dilationW - left, ci) of weight row.
    /// </summary>
    public readonly void DescribeRow(int row, ArrayView<int> rows, int r)
    {
        int x, y, z;
        switch (Operands)
        {
            case GemmOperands.ConvForward:
            {
                int ow = row % Conv.OutW, rest = row / Conv.OutW;
                x = rest / Conv.OutH * Conv.InH;
                y = rest % Conv.OutH * Conv.StrideH - Conv.PadTop;
                z = ow * Conv.StrideW - Conv.PadLeft;
                break;
            }
            case GemmOperands.ConvBackwardInput:
            {
                int iw = row % Conv.InW, rest = row / Conv.InW;
                x = rest / Conv.InH * Conv.OutH;
                y = rest % Conv.InH + Conv.PadTop;
                z = iw + Conv.PadLeft;
                break;
            }
            case GemmOperands.ConvBackwardWeight:
            {
                int tap = row / Conv.InC;
                x = tap / Conv.KernelW * Conv.DilationH - Conv.PadTop;
                y = tap % Conv.KernelW * Conv.DilationW - Conv.PadLeft;
                z = row % Conv.InC;
                break;
            }
            default:
                return;
        }
        rows[3 * r] = x;
        rows[3 * r + 1] = y;
        rows[3 * r + 2] = z;
    }

    /// <summary>A[batch][row, k], row being the tile's row r (described in rows); the caller keeps row &lt; M and k &lt; K.</summary>
    public readonly float LoadA(ArrayView<float> a, int batch, int row, int k, ArrayView<int> rows, int r)
    {
        if (Operands == GemmOperands.Matmul)
            return a[(long)batch * M * K + (TransposeA != 0 ? (long)k * M + row : (long)row * K + k)];
        int x = rows[3 * r], y = rows[3 * r + 1], z = rows[3 * r + 2];
        switch (Operands)
        {
            case GemmOperands.ConvForward:
            {
                // k = (kh, kw, ci): input pixel (oh*s - top + kh*d, ow*s - left + kw*d).
                int tap = k / Conv.InC, kh = tap / Conv.KernelW;
                int ih = y + kh * Conv.DilationH, iw = z + (tap - kh * Conv.KernelW) * Conv.DilationW;
                if (ih < 0 || ih >= Conv.InH || iw < 0 || iw >= Conv.InW) return 0f;
                return a[((x + ih) * Conv.InW + iw) * Conv.InC + k - tap * Conv.InC];
            }
            case GemmOperands.ConvBackwardInput:
            {
                // k = (kh, kw, co): the output pixel whose tap (kh, kw) reads this input pixel, if any.
                int tap = k / Conv.OutC, kh = tap / Conv.KernelW;
                int th = y - kh * Conv.DilationH, tw = z - (tap - kh * Conv.KernelW) * Conv.DilationW;
                if (th < 0 || tw < 0) return 0f;
                int oh = th / Conv.StrideH, ow = tw / Conv.StrideW;
                if (oh * Conv.StrideH != th || ow * Conv.StrideW != tw || oh >= Conv.OutH || ow >= Conv.OutW) return 0f;
                return a[((x + oh) * Conv.OutW + ow) * Conv.OutC + k - tap * Conv.OutC];
            }
            default:
            {
                // k = output pixel (n, oh, ow); this row's tap and channel read input pixel (oh*s + x, ow*s + y), channel z.
                int ow = k % Conv.OutW, rest = k / Conv.OutW;
                int ih = rest % Conv.OutH * Conv.StrideH + x, iw = ow * Conv.StrideW + y;
                if (ih < 0 || ih >= Conv.InH || iw < 0 || iw >= Conv.InW) return 0f;
                return a[((rest / Conv.OutH * Conv.InH + ih) * Conv.InW + iw) * Conv.InC + z];
            }
        }
    }

    /// <summary>B[batch][k, col]; the caller keeps k &lt; K and col &lt; N.</summary>
    public readonly float LoadB(ArrayView<float> b, int batch, int k, int col) => Operands switch
    {
        GemmOperands.Matmul => b[(long)batch * K * N + (TransposeB != 0 ? (long)col * K + k : (long)k * N + col)],
        // w [KH*KW*Cin, Cout] and dy [pixels, Cout] are B as they lie.
        GemmOperands.ConvForward or GemmOperands.ConvBackwardWeight => b[(long)k * N + col],
        // B[(tap, co), ci] = w[tap, ci, co].
        _ => b[(k / Conv.OutC * Conv.InC + col) * Conv.OutC + k % Conv.OutC],
    };
}
