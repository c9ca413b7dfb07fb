using ILGPU.Runtime.Cuda;

namespace NeuralCore.Kernels.Tests.Gpu;

/// <summary>The Elementwise group's grouped kernel compiles to the warp shuffles and barrier it is written with.</summary>
public class PtxElementwiseTests
{
    [Fact]
    public void RowSumsReduceWithWarpShufflesAndABarrier()
    {
        string ptx = PtxCompilationTests.Ptx("GpuReductions.RowsKernel", CudaArchitecture.SM_80);
        Assert.Contains("shfl.sync", ptx);
        Assert.Contains("bar.sync", ptx);
    }
}
