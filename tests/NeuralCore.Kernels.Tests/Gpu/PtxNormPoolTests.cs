using ILGPU.Runtime.Cuda;

namespace NeuralCore.Kernels.Tests.Gpu;

/// <summary>
/// The batch-norm reductions and global average pooling combine their warps' results through shared memory: the
/// barrier between publishing and reading (bar.sync) must be in the PTX, or warp 0 would read stale partial sums.
/// </summary>
public class PtxNormPoolTests
{
    [Theory]
    [InlineData("GpuKernels.BatchNormBlockMomentsKernel")]
    [InlineData("GpuKernels.BatchNormBatchStatsKernel")]
    [InlineData("GpuKernels.BatchNormBlockGradientSumsKernel")]
    [InlineData("GpuKernels.BatchNormGradientSumsKernel")]
    [InlineData("GpuKernels.GlobalAvgPoolKernel")]
    public void ChannelReductionsSynchroniseTheGroup(string kernel)
    {
        foreach (var architecture in new[] { CudaArchitecture.SM_80, CudaArchitecture.SM_90 })
            Assert.Contains("bar.sync", PtxCompilationTests.Ptx(kernel, architecture));
    }
}
