using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// The rows of a convolution's implicit im2col matrix A [M, K], read straight from an NHWC tensor without
/// materialising A. Row m is one point (n, gh, gw) of a Batch x GridH x GridW grid; its K = Taps * SrcC columns
/// are Taps runs of SrcC contiguous channels, run t being the source pixel (gh*StepH + OffH[t], gw*StepW + OffW[t])
/// of image n, or zeros where that pixel lies outside the source (padding).
/// The forward pass uses grid = output pixels, source = input, step = stride, offsets = tap*dilation - pad; the
/// input-gradient pass uses one grid per stride phase of the input pixels, source = dy (see <see cref="CpuConv2d"/>).
/// </summary>
internal readonly unsafe struct ConvRowSource
{
    public readonly float* Src;
    public readonly int Batch, GridH, GridW, SrcH, SrcW, SrcC, StepH, StepW, Taps;

    /// <summary>Per-tap source offsets, <see cref="Taps"/> entries each (pinned by the caller for the call).</summary>
    public readonly int* OffH, OffW;

    public ConvRowSource(float* src, int batch, int gridH, int gridW, int srcH, int srcW, int srcC, int stepH, int stepW,
        int taps, int* offH, int* offW)
    {
        Src = src;
        Batch = batch;
        GridH = gridH;
        GridW = gridW;
        SrcH = srcH;
        SrcW = srcW;
        SrcC = srcC;
        StepH = stepH;
        StepW = stepW;
        Taps = taps;
        OffH = offH;
        OffW = offW;
    }

    public int M => Batch * GridH * GridW;

    public int K => Taps * SrcC;

    /// <summary>Writes A[m, p0 .. p0+count) to <paramref name="dst"/>.</summary>
    public void CopyRow(int m, int p0, int count, float* dst)
    {
        int perImage = GridH * GridW;
        int n = m / perImage, rest = m - n * perImage;
        int gh = rest / GridW, gw = rest - gh * GridW;
        int tap = p0 / SrcC, within = p0 - tap * SrcC;
        float* image = Src + (long)n * SrcH * SrcW * SrcC;
        while (count > 0)
        {
            int length = Math.Min(SrcC - within, count);
            int sh = gh * StepH + OffH[tap], sw = gw * StepW + OffW[tap];
            uint bytes = (uint)length * sizeof(float);
            if ((uint)sh < (uint)SrcH && (uint)sw < (uint)SrcW)
                Copy(image + ((long)sh * SrcW + sw) * SrcC + within, dst, length);
            else
                Unsafe.InitBlockUnaligned(dst, 0, bytes);
            dst += length;
            count -= length;
            tap++;
            within = 0;
        }
    }

    /// <summary>A run is a few hundred bytes at most: whole vectors copied inline cost less than a memmove call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* src, float* dst, int length)
    {
        int i = 0;
        for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            Vector256.Store(Vector256.Load(src + i), dst + i);
        for (; i < length; i++) dst[i] = src[i];
    }
}

/// <summary>
/// Where row m of a convolution GEMM's result C [M, DstC] goes: the pixel (BaseH + gh*StepH, BaseW + gw*StepW) of
/// image n in an NHWC tensor, for the same grid as the <see cref="ConvRowSource"/> that feeds it.
/// </summary>
internal readonly unsafe struct ConvRowSink
{
    public readonly float* Dst;
    public readonly int GridH, GridW, DstH, DstW, DstC, BaseH, BaseW, StepH, StepW;

    public ConvRowSink(float* dst, int gridH, int gridW, int dstH, int dstW, int dstC, int baseH, int baseW, int stepH,
        int stepW)
    {
        Dst = dst;
        GridH = gridH;
        GridW = gridW;
        DstH = dstH;
        DstW = dstW;
        DstC = dstC;
        BaseH = baseH;
        BaseW = baseW;
        StepH = stepH;
        StepW = stepW;
    }

    public float* Row(int m)
    {
        int perImage = GridH * GridW;
        int n = m / perImage, rest = m - n * perImage;
        int gh = rest / GridW, gw = rest - gh * GridW;
        return Dst + (((long)n * DstH + BaseH + gh * StepH) * DstW + BaseW + gw * StepW) * DstC;
    }
}
