using ILGPU.Runtime.Cuda;

namespace NeuralCore.Kernels.Tests.Gpu;

/// <summary>The row reductions of softmax and the loss compile to warp shuffles; the loss total to a barrier-synchronised tree.</summary>
public class PtxSoftmaxTests
{
    [Theory]
    [InlineData("GpuKernels.SoftmaxKernel")]
    [InlineData("GpuKernels.SoftmaxBackwardKernel")]
    [InlineData("GpuKernels.CrossEntropyRowsKernel")]
    public void RowReductionsUseWarpShuffles(string kernel) =>
        Assert.Contains("shfl.sync.bfly", PtxCompilationTests.Ptx(kernel, CudaArchitecture.SM_80));

    [Fact]
    public void TheLossTotalIsABarrierTree()
    {
        string ptx = PtxCompilationTests.Ptx("GpuKernels.CrossEntropyTotalKernel", CudaArchitecture.SM_80);
        Assert.Contains("bar.sync", ptx);
        Assert.Contains(".shared", ptx);
    }
}
