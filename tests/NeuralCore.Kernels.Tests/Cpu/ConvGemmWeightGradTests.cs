using NeuralCore.Kernels.Cpu;

namespace NeuralCore.Kernels.Tests.Cpu;

/// <summary>
/// <see cref="ConvGemmWeightGrad"/> run directly with each micro-kernel (the AVX2 one is only picked on hardware
/// without AVX-512, so the operator tests never reach it here) against a double-accumulated loop over the same
/// im2col rows. The shapes cross the kernel's edges: a partial last column panel (K not a multiple of 32 or 16),
/// a partial last row tile (N not a multiple of 14 or 6), several depth blocks, padding on every side, and few
/// enough panels that the pixels are split into chunks whose partial sums are added afterwards.
/// </summary>
public unsafe class ConvGemmWeightGradTests
{
    public static TheoryData<string, int, int, int, int, int, int> Shapes => new()
    {
        // label, batch, height, width, cin, cout, stride
        { "K 27 (one panel, two pixel chunks), N 40", 2, 24, 24, 3, 40, 1 },
        { "K 180, N 33, stride 2", 2, 13, 11, 20, 33, 2 },
        { "K 576, N 64", 1, 9, 10, 64, 64, 1 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesLoopsWithEachKernel(string label, int batch, int height, int width, int cin, int cout, int stride)
    {
        var kernels = new List<(string, GemmKernelInfo)> { ("AVX2", GemmKernelInfo.Avx2) };
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            kernels.Add(("AVX-512", GemmKernelInfo.Avx512));
            kernels.Add(("AVX-512 wide", GemmKernelInfo.Avx512Wide));
        }
        int outH = (height - 1) / stride + 1, outW = (width - 1) / stride + 1; // 3x3, pad 1
        float[] x = Filled(batch * height * width * cin, 1), dy = Filled(batch * outH * outW * cout, 2);
        int* offH = stackalloc int[9];
        int* offW = stackalloc int[9];
        for (int t = 0; t < 9; t++)
        {
            offH[t] = t / 3 - 1;
            offW[t] = t % 3 - 1;
        }
        fixed (float* px = x, pdy = dy)
        {
            var rows = new ConvRowSource(px, batch, outH, outW, height, width, cin, stride, stride, 9, offH, offW);
            double[] expected = Loops(rows, pdy, cout);
            foreach (var (name, kernel) in kernels)
            {
                float[] dw = new float[rows.K * cout];
                fixed (float* pdw = dw) ConvGemmWeightGrad.Run(kernel, rows, pdy, cout, pdw);
                for (int i = 0; i < dw.Length; i++)
                {
                    double tolerance = 1e-5 * rows.M;
                    Assert.True(Math.Abs(dw[i] - expected[i]) <= tolerance,
                        $"{label}, {name}: dW[{i / cout}, {i % cout}] = {dw[i]}, expected {expected[i]}");
                }
            }
        }
    }

    private static double[] Loops(in ConvRowSource rows, float* dy, int cout)
    {
        var result = new double[rows.K * cout];
        float* row = stackalloc float[rows.K];
        for (int m = 0; m < rows.M; m++)
        {
            rows.CopyRow(m, 0, rows.K, row);
            for (int k = 0; k < rows.K; k++)
                for (int j = 0; j < cout; j++)
                    result[k * cout + j] += (double)row[k] * dy[(long)m * cout + j];
        }
        return result;
    }

    private static float[] Filled(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
