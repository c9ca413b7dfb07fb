using NeuralCore.Kernels.Gpu;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Tests.Gpu;

/// <summary>
/// Both paths of the tile kernel on the emulator, on a ragged batched product of 2 x 2 tiles. The tensor-core path,
/// with mma.sync stood in by a fragment exchange that follows the PTX layout: its staging with TF32 rounding,
/// fragment loads and fragment stores give each C element the product of TF32-rounded operands; the plain path gives
/// the FP32 product. What this cannot prove: that the hardware instruction behaves as the PTX documentation's layout
/// (which both the kernel and its emulation follow) says; that needs a GPU.
/// </summary>
public class TensorCoreTileTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void TensorCorePathMultipliesTf32RoundedOperandsAndPlainPathFp32Ones(bool transposeA, bool transposeB)
    {
        // Ragged on every side: 70 rows and 67 columns (a full and a partial tile each), K = 40 (two and a half slices), two batches.
        const int batch = 2, m = 70, n = 67, k = 40;
        var a = Normal(batch * m * k, seed: 3);
        var b = Normal(batch * k * n, seed: 4);
        double At(int z, int row, int kk) => a[z * m * k + (transposeA ? kk * m + row : row * k + kk)];
        double Bt(int z, int kk, int col) => b[z * k * n + (transposeB ? col * k + kk : kk * n + col)];

        var tensorCores = RunTile(a, b, batch, m, n, k, transposeA, transposeB, tensorCores: true);
        var plain = RunTile(a, b, batch, m, n, k, transposeA, transposeB, tensorCores: false);

        int plainOutside = 0;
        for (int z = 0; z < batch; z++)
            for (int row = 0; row < m; row++)
                for (int col = 0; col < n; col++)
                {
                    double expected = 0, magnitude = 0, fp32 = 0;
                    for (int kk = 0; kk < k; kk++)
                    {
                        double product = Tf32(At(z, row, kk)) * Tf32(Bt(z, kk, col));
                        expected += product;
                        magnitude += Math.Abs(product);
                        fp32 += At(z, row, kk) * Bt(z, kk, col);
                    }
                    // FP32 sums of 40 products: well under 1e-5 of their magnitude; TF32 rounding errors are ~50x that.
                    double tolerance = 1e-5 * magnitude + 1e-6;
                    int at = (z * m + row) * n + col;
                    Assert.True(Math.Abs(tensorCores[at] - expected) <= tolerance,
                        $"C[{z}, {row}, {col}]: tensor-core path {tensorCores[at]:G9}, TF32 product {expected:G9}");
                    Assert.True(Math.Abs(plain[at] - fp32) <= tolerance, $"C[{z}, {row}, {col}]: plain path {plain[at]:G9}, FP32 product {fp32:G9}");
                    if (Math.Abs(plain[at] - expected) > tolerance) plainOutside++;
                }
        // The check tells TF32 from FP32 operands: the plain path's full-precision products miss it.
        Assert.True(plainOutside > m * n / 10, $"only {plainOutside} FP32 results fall outside the TF32 check");
    }

    /// <summary>v rounded to 10 mantissa bits, nearest with ties away from zero (cvt.rna.tf32.f32), in doubles.</summary>
    private static double Tf32(double v)
    {
        if (v == 0) return 0;
        double ulp = Math.Pow(2, Math.Floor(Math.Log2(Math.Abs(v))) - 10);
        return Math.Sign(v) * Math.Floor(Math.Abs(v) / ulp + 0.5) * ulp;
    }

    private static float[] Normal(int count, ulong seed)
    {
        var values = new float[count];
        new RandomGenerator(seed).FillNormal(values);
        return values;
    }

    private static float[] RunTile(float[] a, float[] b, int batch, int m, int n, int k, bool transposeA, bool transposeB, bool tensorCores)
    {
        var device = GpuDevices.Open(Device.Emulated);
        using var da = Tensor.FromArray(a, [a.Length]).To(Device.Emulated);
        using var db = Tensor.FromArray(b, [b.Length]).To(Device.Emulated);
        using var dc = Tensor.Empty([batch * m * n], DType.Float32, Device.Emulated);
        var p = new GemmParams
        {
            Operands = GemmOperands.Matmul, M = m, N = n, K = k, TransposeA = transposeA ? 1 : 0, TransposeB = transposeB ? 1 : 0,
            AAlongK = transposeA ? 0 : 1, BAlongK = transposeB ? 1 : 0,
        };
        ImplicitGemm.Run(device, p, batch, splitK: false, device.View<float>(da), device.View<float>(db), device.View<float>(dc), tensorCores);
        return dc.ToArray<float>();
    }
}
