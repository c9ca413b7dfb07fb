using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NeuralCore.Kernels.Reference;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Depthwise convolution (groups == InC == OutC, weight [KH, KW, 1, C]) as direct loops vectorised over the
/// channels, which are contiguous in NHWC: each output value is a sum of KH*KW products of two channel rows, so a
/// pixel costs KH*KW vector FMAs per 16 channels (8 without AVX-512: the loops are generic over
/// <see cref="ISimd{V}"/>) and there is no GEMM shape to exploit. Forward and input gradient
/// are gathers (each result pixel sums its own taps; parallel over result rows, no write conflicts); the weight
/// gradient reduces over all pixels in a fixed number of row chunks whose partial sums are added in chunk order,
/// so the result does not depend on the thread count.
/// </summary>
internal static unsafe class CpuDepthwiseConv2d
{
    /// <summary>Row chunks of the weight gradient (fixed, not the thread count, for reproducibility).</summary>
    private const int WeightGradChunks = 16;

    public static void Run(ConvPass pass, Conv2dGeometry g, float* a, float* b, float* result)
    {
        switch (pass)
        {
            case ConvPass.Forward:
            {
                var work = new GatherWork { G = g, Source = a, W = b, Dst = result, Transposed = false };
                CpuParallel.For(g.Batch * g.OutH, ref work);
                break;
            }
            case ConvPass.BackwardInput:
            {
                var work = new GatherWork { G = g, Source = a, W = b, Dst = result, Transposed = true };
                CpuParallel.For(g.Batch * g.InH, ref work);
                break;
            }
            default:
                WeightGrad(g, a, b, result);
                break;
        }
    }

    /// <summary>dst[c] = sum over t of inputs[t][c] * weights[t][c].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DotTaps<S, V>(float** inputs, float** weights, int count, int channels, float* dst)
        where S : struct, ISimd<V> where V : struct
    {
        int c = 0;
        for (; c + S.Count <= channels; c += S.Count)
        {
            var acc = S.Zero;
            for (int t = 0; t < count; t++)
                acc = S.FusedMultiplyAdd(S.Load(inputs[t] + c), S.Load(weights[t] + c), acc);
            S.Store(acc, dst + c);
        }
        for (; c < channels; c++)
        {
            float sum = 0f;
            for (int t = 0; t < count; t++) sum = MathF.FusedMultiplyAdd(inputs[t][c], weights[t][c], sum);
            dst[c] = sum;
        }
    }

    /// <summary>
    /// One result row per unit. Forward: y[n, oh, ow] sums x[n, oh*s - pad + kh*d, ...] * w[kh, kw] over the taps
    /// inside x. Transposed (input gradient): dx[n, ih, iw] sums dy[n, oh, ow] * w[kh, kw] over the taps with
    /// oh = (ih + pad - kh*d) / s whole and inside dy. Both are "linear" when the source index is
    /// i*step + origin + k*reach for every tap (the forward; the input gradient at stride 1, with origin = pad and
    /// reach = -dilation): then the pixels whose taps all lie inside the source take a fast path that computes
    /// <see cref="Block"/> pixels at once, loading each weight vector once for all of them.
    /// </summary>
    private struct GatherWork : IWorkItem
    {
        private const int Block = 4;

        public Conv2dGeometry G;
        public float* Source, W, Dst;
        public bool Transposed;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            if (Vector512.IsHardwareAccelerated) Rows<Simd512, Vector512<float>>(start, end);
            else Rows<Simd256, Vector256<float>>(start, end);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Rows<S, V>(int start, int end) where S : struct, ISimd<V> where V : struct
        {
            var g = G;
            int c = g.InC, taps = g.KernelH * g.KernelW;
            var (dstH, dstW, srcH, srcW) = Transposed ? (g.InH, g.InW, g.OutH, g.OutW) : (g.OutH, g.OutW, g.InH, g.InW);
            bool linear = !Transposed || g.Stride == (1, 1);
            var (stepH, originH, reachH) = Transposed ? (1, g.PadTop, -g.Dilation.H) : (g.Stride.H, -g.PadTop, g.Dilation.H);
            var (stepW, originW, reachW) = Transposed ? (1, g.PadLeft, -g.Dilation.W) : (g.Stride.W, -g.PadLeft, g.Dilation.W);
            int spanW = (g.KernelW - 1) * reachW;
            float** inputs = stackalloc float*[taps];
            float** weights = stackalloc float*[taps];
            long* offsets = stackalloc long[taps];
            float** rowWeights = stackalloc float*[taps];
            for (int row = start; row < end; row++)
            {
                int n = row / dstH, h = row - n * dstH;
                float* image = Source + (long)n * srcH * srcW * c;
                float* dstRow = Dst + (long)row * dstW * c;
                int rowTaps = 0;
                if (linear)
                    for (int kh = 0; kh < g.KernelH; kh++)
                    {
                        int sh = h * stepH + originH + kh * reachH;
                        if ((uint)sh >= (uint)srcH) continue;
                        for (int kw = 0; kw < g.KernelW; kw++, rowTaps++)
                        {
                            offsets[rowTaps] = ((long)sh * srcW + kw * reachW) * c;
                            rowWeights[rowTaps] = W + (long)(kh * g.KernelW + kw) * c;
                        }
                    }
                for (int w = 0; w < dstW;)
                {
                    if (linear && w + Block <= dstW && Inside(w, stepW, originW, spanW, srcW)
                        && Inside(w + Block - 1, stepW, originW, spanW, srcW))
                    {
                        float* first = image + (long)(w * stepW + originW) * c;
                        InteriorBlock<S, V>(first, (long)stepW * c, offsets, rowWeights, rowTaps, c, dstRow + (long)w * c);
                        w += Block;
                        continue;
                    }
                    int count = 0;
                    for (int kh = 0; kh < g.KernelH; kh++)
                    {
                        int sh = Transposed ? Reach(h, kh, g.Stride.H, g.Dilation.H, g.PadTop)
                            : h * g.Stride.H - g.PadTop + kh * g.Dilation.H;
                        if ((uint)sh >= (uint)srcH) continue;
                        for (int kw = 0; kw < g.KernelW; kw++)
                        {
                            int sw = Transposed ? Reach(w, kw, g.Stride.W, g.Dilation.W, g.PadLeft)
                                : w * g.Stride.W - g.PadLeft + kw * g.Dilation.W;
                            if ((uint)sw >= (uint)srcW) continue;
                            inputs[count] = image + ((long)sh * srcW + sw) * c;
                            weights[count++] = W + (long)(kh * g.KernelW + kw) * c;
                        }
                    }
                    DotTaps<S, V>(inputs, weights, count, c, dstRow + (long)w * c);
                    w++;
                }
            }
        }

        /// <summary>Whether every tap of result column w lies inside the source (linear form).</summary>
        private static bool Inside(int w, int step, int origin, int span, int size)
        {
            int first = w * step + origin, last = first + span;
            return (uint)first < (uint)size && (uint)last < (uint)size;
        }

        /// <summary><see cref="Block"/> consecutive result pixels whose taps all lie inside the source: pixel b reads
        /// tap t at first + b*pixelStep + offsets[t].</summary>
        private static void InteriorBlock<S, V>(float* first, long pixelStep, long* offsets, float** weights, int taps,
            int channels, float* dst) where S : struct, ISimd<V> where V : struct
        {
            int c = 0;
            for (; c + S.Count <= channels; c += S.Count)
            {
                V acc0 = S.Zero, acc1 = S.Zero, acc2 = S.Zero, acc3 = S.Zero;
                for (int t = 0; t < taps; t++)
                {
                    var wv = S.Load(weights[t] + c);
                    float* x = first + offsets[t] + c;
                    acc0 = S.FusedMultiplyAdd(S.Load(x), wv, acc0);
                    acc1 = S.FusedMultiplyAdd(S.Load(x + pixelStep), wv, acc1);
                    acc2 = S.FusedMultiplyAdd(S.Load(x + 2 * pixelStep), wv, acc2);
                    acc3 = S.FusedMultiplyAdd(S.Load(x + 3 * pixelStep), wv, acc3);
                }
                S.Store(acc0, dst + c);
                S.Store(acc1, dst + channels + c);
                S.Store(acc2, dst + 2 * channels + c);
                S.Store(acc3, dst + 3 * channels + c);
            }
            for (; c < channels; c++)
                for (int b = 0; b < Block; b++)
                {
                    float sum = 0f;
                    for (int t = 0; t < taps; t++)
                        sum = MathF.FusedMultiplyAdd(first[offsets[t] + b * pixelStep + c], weights[t][c], sum);
                    dst[b * channels + c] = sum;
                }
        }

        /// <summary>The output index whose tap k reads input index i, or -1 when none does.</summary>
        private static int Reach(int i, int k, int stride, int dilation, int pad)
        {
            int shift = i + pad - k * dilation;
            return shift >= 0 && shift % stride == 0 ? shift / stride : -1;
        }
    }

    private static void WeightGrad(Conv2dGeometry g, float* x, float* dy, float* dw)
    {
        int rows = g.Batch * g.OutH;
        int chunks = Math.Min(rows, WeightGradChunks);
        int size = g.KernelH * g.KernelW * g.InC;
        float[] partials = ArrayPool<float>.Shared.Rent(chunks * size);
        try
        {
            fixed (float* p = partials)
            {
                var work = new WeightGradWork { G = g, X = x, Dy = dy, Partials = p, Rows = rows, Chunks = chunks };
                CpuParallel.For(chunks, ref work);
                // Chunk order, fixed: the sum does not depend on which thread ran which chunk.
                var total = new Span<float>(dw, size);
                new ReadOnlySpan<float>(p, size).CopyTo(total);
                for (int chunk = 1; chunk < chunks; chunk++)
                    if (Vector512.IsHardwareAccelerated) Accumulate<Simd512, Vector512<float>>(p + (long)chunk * size, dw, size);
                    else Accumulate<Simd256, Vector256<float>>(p + (long)chunk * size, dw, size);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partials);
        }
    }

    /// <summary>Chunk u sums x * dy over its output rows into its own partial dW [KH, KW, C].</summary>
    private struct WeightGradWork : IWorkItem
    {
        public Conv2dGeometry G;
        public float* X, Dy, Partials;
        public int Rows, Chunks;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            if (Vector512.IsHardwareAccelerated) ChunkRange<Simd512, Vector512<float>>(start, end);
            else ChunkRange<Simd256, Vector256<float>>(start, end);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void ChunkRange<S, V>(int start, int end) where S : struct, ISimd<V> where V : struct
        {
            var g = G;
            int c = g.InC, size = g.KernelH * g.KernelW * c;
            for (int chunk = start; chunk < end; chunk++)
            {
                float* dw = Partials + (long)chunk * size;
                new Span<float>(dw, size).Clear();
                (int r0, int r1) = CpuParallel.Chunk(Rows, chunk, Chunks);
                for (int row = r0; row < r1; row++)
                {
                    int n = row / g.OutH, oh = row - n * g.OutH;
                    float* image = X + (long)n * g.InH * g.InW * c;
                    for (int ow = 0; ow < g.OutW; ow++)
                    {
                        float* d = Dy + ((long)row * g.OutW + ow) * c;
                        for (int kh = 0; kh < g.KernelH; kh++)
                        {
                            int ih = oh * g.Stride.H - g.PadTop + kh * g.Dilation.H;
                            if ((uint)ih >= (uint)g.InH) continue;
                            for (int kw = 0; kw < g.KernelW; kw++)
                            {
                                int iw = ow * g.Stride.W - g.PadLeft + kw * g.Dilation.W;
                                if ((uint)iw >= (uint)g.InW) continue;
                                AddProduct<S, V>(image + ((long)ih * g.InW + iw) * c, d, dw + (kh * g.KernelW + kw) * c, c);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>acc[i] += a[i].</summary>
    private static void Accumulate<S, V>(float* a, float* acc, int length) where S : struct, ISimd<V> where V : struct
    {
        int i = 0;
        for (; i + S.Count <= length; i += S.Count) S.Store(S.Add(S.Load(acc + i), S.Load(a + i)), acc + i);
        for (; i < length; i++) acc[i] += a[i];
    }

    /// <summary>acc[i] += a[i] * b[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddProduct<S, V>(float* a, float* b, float* acc, int length) where S : struct, ISimd<V> where V : struct
    {
        int i = 0;
        for (; i + S.Count <= length; i += S.Count) S.Store(S.FusedMultiplyAdd(S.Load(a + i), S.Load(b + i), S.Load(acc + i)), acc + i);
        for (; i < length; i++) acc[i] = MathF.FusedMultiplyAdd(a[i], b[i], acc[i]);
    }
}
