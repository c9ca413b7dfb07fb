using System.Buffers;
using System.Numerics;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Fast float32 batch norm over x viewed as [M, C] (NHWC rows). Each pass is one sweep over memory, SIMD across
/// channels and split over the worker pool by rows. Statistics: float partial sums over blocks of rows, shifted by
/// the first row to avoid cancellation, combined in double. The statistics chunks depend only on M, never on the
/// thread count or on scheduling, and are combined in chunk order, so the result is the same on any machine.
/// Scratch comes from the shared array pool, so a call allocates nothing once warm.
/// </summary>
internal static unsafe class CpuBatchNorm
{
    private const int BlockRows = 64;

    /// <summary>Most row ranges the statistics are split into (enough to keep 64 threads busy).</summary>
    private const int MaxStatChunks = 64;

    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> runningMean, Span<float> runningVar,
        Span<float> y, Span<float> saveMean, Span<float> saveInvStd, BatchNormAttrs attrs)
    {
        int channels = gamma.Length, rows = x.Length / channels;
        double[] stats = ArrayPool<double>.Shared.Rent(4 * channels);
        float[] coefficients = ArrayPool<float>.Shared.Rent(3 * channels);
        Span<double> mean = stats.AsSpan(0, channels), variance = stats.AsSpan(channels, channels);
        Span<float> origin = coefficients.AsSpan(0, channels), scale = coefficients.AsSpan(channels, channels), shift = coefficients.AsSpan(2 * channels, channels);
        if (attrs.Training)
        {
            x[..channels].CopyTo(origin);
            Span<double> sum = stats.AsSpan(2 * channels, channels), squares = stats.AsSpan(3 * channels, channels);
            ChannelSums(x, x, origin, product: false, sum, squares);
            for (int c = 0; c < channels; c++)
            {
                double meanShifted = sum[c] / rows;
                double centredSquares = Math.Max(squares[c] - sum[c] * meanShifted, 0);
                mean[c] = origin[c] + meanShifted;
                variance[c] = centredSquares / rows;
                runningMean[c] = (float)((1 - attrs.Momentum) * runningMean[c] + attrs.Momentum * mean[c]);
                runningVar[c] = (float)((1 - attrs.Momentum) * runningVar[c] + attrs.Momentum * centredSquares / (rows - 1));
            }
        }
        else
            for (int c = 0; c < channels; c++)
            {
                mean[c] = runningMean[c];
                variance[c] = runningVar[c];
            }

        for (int c = 0; c < channels; c++)
        {
            double invStd = 1.0 / Math.Sqrt(variance[c] + attrs.Epsilon);
            saveMean[c] = (float)mean[c];
            saveInvStd[c] = (float)invStd;
            scale[c] = (float)(gamma[c] * invStd);
            shift[c] = (float)(beta[c] - mean[c] * gamma[c] * invStd);
        }
        ScaleShiftRows(x, scale, default, default, shift, y);
        ArrayPool<double>.Shared.Return(stats);
        ArrayPool<float>.Shared.Return(coefficients);
    }

    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> saveMean, ReadOnlySpan<float> saveInvStd,
        Span<float> dx, Span<float> dGamma, Span<float> dBeta, bool training)
    {
        int channels = gamma.Length, rows = x.Length / channels;
        double[] stats = ArrayPool<double>.Shared.Rent(2 * channels);
        float[] coefficients = ArrayPool<float>.Shared.Rent(3 * channels);
        Span<double> sumDy = stats.AsSpan(0, channels), sumDyCentred = stats.AsSpan(channels, channels);
        ChannelSums(dy, x, saveMean, product: true, sumDy, sumDyCentred);
        // dx = k * (dy - mean(dy) - xhat * mean(dy * xhat)) = a * dy + b * x + c per channel.
        Span<float> a = coefficients.AsSpan(0, channels), b = coefficients.AsSpan(channels, channels), shift = coefficients.AsSpan(2 * channels, channels);
        for (int c = 0; c < channels; c++)
        {
            double invStd = saveInvStd[c], k = gamma[c] * invStd, mean = saveMean[c];
            dBeta[c] = (float)sumDy[c];
            dGamma[c] = (float)(sumDyCentred[c] * invStd);
            double meanDy = training ? sumDy[c] / rows : 0, meanDyXhat = training ? sumDyCentred[c] * invStd / rows : 0;
            a[c] = (float)k;
            b[c] = (float)(-k * invStd * meanDyXhat);
            shift[c] = (float)(-k * meanDy + k * invStd * meanDyXhat * mean);
        }
        ScaleShiftRows(dy, a, x, b, shift, dx);
        ArrayPool<double>.Shared.Return(stats);
        ArrayPool<float>.Shared.Return(coefficients);
    }

    /// <summary>
    /// Per-channel sums over rows, in double, into <paramref name="first"/> and <paramref name="second"/>:
    /// product = false gives sum(u - origin) and sum((u - origin)^2); product = true gives sum(u) and
    /// sum(u * (v - origin)).
    /// </summary>
    private static void ChannelSums(ReadOnlySpan<float> u, ReadOnlySpan<float> v, ReadOnlySpan<float> origin, bool product, Span<double> first, Span<double> second)
    {
        int channels = origin.Length, rows = u.Length / channels;
        int chunks = Math.Clamp((rows + BlockRows - 1) / BlockRows, 1, MaxStatChunks);
        double[] partial = ArrayPool<double>.Shared.Rent(2 * chunks * channels);
        float[] scratch = ArrayPool<float>.Shared.Rent(2 * chunks * channels);
        fixed (float* pu = u, pv = v, po = origin, ps = scratch)
        fixed (double* pp = partial)
        {
            var work = new StatsWork
            {
                U = pu, V = pv, Origin = po, Product = product, Channels = channels, Rows = rows, Chunks = chunks,
                Partial = pp, Scratch = ps,
            };
            CpuParallel.For(chunks, (long)rows * channels * (product ? 2 : 1), ref work);
        }
        first.Clear();
        second.Clear();
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            var chunkFirst = partial.AsSpan(2 * chunk * channels, channels);
            var chunkSecond = partial.AsSpan((2 * chunk + 1) * channels, channels);
            for (int c = 0; c < channels; c++)
            {
                first[c] += chunkFirst[c];
                second[c] += chunkSecond[c];
            }
        }
        ArrayPool<double>.Shared.Return(partial);
        ArrayPool<float>.Shared.Return(scratch);
    }

    /// <summary>Statistics chunk i sums rows CpuParallel.Chunk(Rows, i, Chunks) into Partial[2i*C ..] (first) and
    /// Partial[(2i+1)*C ..] (second), with Scratch[2i*C .. (2i+2)*C) as its float block accumulators.</summary>
    private struct StatsWork : IWorkItem
    {
        public float* U, V, Origin, Scratch;
        public double* Partial;
        public bool Product;
        public int Channels, Rows, Chunks;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            for (int chunk = start; chunk < end; chunk++)
            {
                var (r0, r1) = CpuParallel.Chunk(Rows, chunk, Chunks);
                long at = 2L * chunk * Channels;
                SumRows(r0, r1, Scratch + at, Scratch + at + Channels, Partial + at, Partial + at + Channels);
            }
        }

        /// <summary>Sums of rows [r0, r1): float accumulators per block of rows, added into double per block.</summary>
        private readonly void SumRows(int r0, int r1, float* bf, float* bs, double* first, double* second)
        {
            int channels = Channels, width = Vector<float>.Count, vectorEnd = channels - channels % width;
            float* o = Origin;
            new Span<double>(first, channels).Clear();
            new Span<double>(second, channels).Clear();
            for (int start = r0; start < r1; start += BlockRows)
            {
                new Span<float>(bf, channels).Clear();
                new Span<float>(bs, channels).Clear();
                for (int r = start, end = Math.Min(start + BlockRows, r1); r < end; r++)
                {
                    float* ur = U + (long)r * channels, vr = V + (long)r * channels;
                    int c = 0;
                    if (Product)
                    {
                        for (; c < vectorEnd; c += width)
                        {
                            var uc = Vector.Load(ur + c);
                            Vector.Store(Vector.Load(bf + c) + uc, bf + c);
                            Vector.Store(Vector.FusedMultiplyAdd(uc, Vector.Load(vr + c) - Vector.Load(o + c), Vector.Load(bs + c)), bs + c);
                        }
                        for (; c < channels; c++)
                        {
                            bf[c] += ur[c];
                            bs[c] += ur[c] * (vr[c] - o[c]);
                        }
                    }
                    else
                    {
                        for (; c < vectorEnd; c += width)
                        {
                            var d = Vector.Load(ur + c) - Vector.Load(o + c);
                            Vector.Store(Vector.Load(bf + c) + d, bf + c);
                            Vector.Store(Vector.FusedMultiplyAdd(d, d, Vector.Load(bs + c)), bs + c);
                        }
                        for (; c < channels; c++)
                        {
                            float d = ur[c] - o[c];
                            bf[c] += d;
                            bs[c] += d * d;
                        }
                    }
                }
                for (int c = 0; c < channels; c++)
                {
                    first[c] += bf[c];
                    second[c] += bs[c];
                }
            }
        }
    }

    /// <summary>dst = a * src (+ b * other when <paramref name="b"/> is not empty) + shift per channel, rows split
    /// over the worker pool.</summary>
    private static void ScaleShiftRows(ReadOnlySpan<float> src, ReadOnlySpan<float> a, ReadOnlySpan<float> other, ReadOnlySpan<float> b,
        ReadOnlySpan<float> shift, Span<float> dst)
    {
        int channels = a.Length;
        fixed (float* ps = src, pd = dst, po = other, pa = a, pb = b, ph = shift)
        {
            var work = new ScaleShiftWork { Src = ps, Dst = pd, Other = po, A = pa, B = pb, Shift = ph, Channels = channels };
            CpuParallel.For(src.Length / channels, (long)src.Length * (b.IsEmpty ? 2 : 3), ref work);
        }
    }

    private struct ScaleShiftWork : IWorkItem
    {
        public float* Src, Dst, Other, A, B, Shift;
        public int Channels;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            int channels = Channels, width = Vector<float>.Count, vectorEnd = channels - channels % width;
            float* av = A, bv = B, hv = Shift;
            for (int r = start; r < end; r++)
            {
                long row = (long)r * channels;
                float* sr = Src + row, dr = Dst + row, or = Other + row;
                int c = 0;
                if (bv != null)
                {
                    for (; c < vectorEnd; c += width)
                    {
                        var partial = Vector.FusedMultiplyAdd(Vector.Load(bv + c), Vector.Load(or + c), Vector.Load(hv + c));
                        Vector.Store(Vector.FusedMultiplyAdd(Vector.Load(av + c), Vector.Load(sr + c), partial), dr + c);
                    }
                    for (; c < channels; c++) dr[c] = MathF.FusedMultiplyAdd(av[c], sr[c], MathF.FusedMultiplyAdd(bv[c], or[c], hv[c]));
                }
                else
                {
                    for (; c < vectorEnd; c += width)
                        Vector.Store(Vector.FusedMultiplyAdd(Vector.Load(av + c), Vector.Load(sr + c), Vector.Load(hv + c)), dr + c);
                    for (; c < channels; c++) dr[c] = MathF.FusedMultiplyAdd(av[c], sr[c], hv[c]);
                }
            }
        }
    }
}
