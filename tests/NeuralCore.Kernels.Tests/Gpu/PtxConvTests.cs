using System.Text.RegularExpressions;

using ILGPU.Runtime.Cuda;

namespace NeuralCore.Kernels.Tests.Gpu;

/// <summary>
/// The Conv group's tile kernel (matmul and the dense convolutions) compiles, for CUDA, to both of its paths: the
/// tensor-core one (TF32 conversions and mma.sync m16n8k8, whose inline PTX ILGPU only checks when the driver
/// JIT-compiles it) and the plain FP32 one, each staging its tiles through shared memory between barriers.
/// </summary>
public class PtxConvTests
{
    private const string Tile = "ImplicitGemm.TileKernel";

    [Fact]
    public void TileKernelMultipliesOnTensorCoresInTf32()
    {
        string ptx = PtxCompilationTests.Ptx(Tile, CudaArchitecture.SM_80);
        // Four m16n8k8 tiles per k8 step (the warp's 32 x 16 block), accumulators in f32 registers, operands in b32 ones.
        var mma = new Regex(@"mma\.sync\.aligned\.m16n8k8\.row\.col\.f32\.tf32\.tf32\.f32\s+\{\s*%f\d+, %f\d+, %f\d+, %f\d+\}, \{%r\d+, %r\d+, %r\d+, %r\d+\}, \{%r\d+, %r\d+\}, \{\s*%f\d+, %f\d+, %f\d+, %f\d+\};");
        Assert.Equal(4, mma.Matches(ptx).Count);
        // Both operands rounded to TF32 as they are staged.
        Assert.Equal(2, Regex.Matches(ptx, @"cvt\.rna\.tf32\.f32\s").Count);
    }

    [Fact]
    public void TileKernelsPlainPathStagesSharedTilesBetweenBarriers()
    {
        string ptx = PtxCompilationTests.Ptx(Tile, CudaArchitecture.SM_80);
        Assert.Contains("bar.sync", ptx);
        Assert.Contains("ld.shared.f32", ptx);
        Assert.Contains("st.shared.f32", ptx);
        // The plain path's unrolled 4 x 4 block: 16 products per k.
        Assert.True(Regex.Matches(ptx, @"\bmul\.f32\s").Count >= 16, "the plain path's 4 x 4 register block is missing");
    }
}
