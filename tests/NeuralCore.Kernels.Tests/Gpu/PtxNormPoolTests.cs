using ILGPU.Runtime.Cuda;

namespace NeuralCore.Kernels.Tests.Gpu;

/// <summary>
/// The batch-norm reductions and global average pooling compile to the CUDA primitives their determinism and speed
/// rest on: barriers around the shared-memory tree across warps (bar.sync), and warp shuffles in the per-channel
/// final pass (shfl.sync).
/// </summary>
public class PtxNormPoolTests
{
    [Theory]
    [InlineData("GpuKernels.BatchNormBlockMomentsKernel")]
    [InlineData("GpuKernels.BatchNormBlockGradientSumsKernel")]
    [InlineData("GpuKernels.GlobalAvgPoolKernel")]
    public void BlockReductionsSynchroniseTheGroup(string kernel) =>
        Assert.Contains("bar.sync", PtxCompilationTests.Ptx(kernel, CudaArchitecture.SM_80));

    [Theory]
    [InlineData("GpuKernels.BatchNormBatchStatsKernel")]
    [InlineData("GpuKernels.BatchNormGradientSumsKernel")]
    public void ChannelPassesShuffleWithinTheWarp(string kernel) =>
        Assert.Contains("shfl.sync", PtxCompilationTests.Ptx(kernel, CudaArchitecture.SM_80));
}
