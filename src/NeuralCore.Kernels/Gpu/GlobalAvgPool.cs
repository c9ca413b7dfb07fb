using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// global_avg_pool: y[n, c] = mean over H * W of x[n, :, :, c]. One group per (image, 32 channels)
/// (<see cref="ChannelColumns"/>): warps stream the image's cells coalesced along C, then warp 0 sums the warps in order.
/// </summary>
public sealed partial class GpuKernels
{
    private static readonly KernelSlot<Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int>> GlobalAvgPoolImages =
        new(a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, int>(GlobalAvgPoolKernel));

    public void GlobalAvgPool(Tensor x, Tensor y)
    {
        int images = x.Shape[0], cells = x.Shape[1] * x.Shape[2], channels = x.Shape[3];
        if (images == 0 || channels == 0) return;
        GlobalAvgPoolImages.On(Device.Accelerator)(ChannelColumns.Config(images, channels), Device.View<float>(x), Device.View<float>(y), cells, channels);
    }

    [GpuKernel(Grouped = true)]
    internal static void GlobalAvgPoolKernel(ArrayView<float> x, ArrayView<float> y, int cells, int channels)
    {
        var shared = SharedMemory.Allocate<float>(ChannelColumns.GroupSize);
        int tiles = ChannelColumns.Tiles(channels);
        int c = ChannelColumns.Channel(tiles), n = ChannelColumns.Block(tiles);
        float sum = 0;
        if (c < channels)
            for (int cell = Warp.WarpIdx; cell < cells; cell += ChannelColumns.Warps)
                sum += x[((long)n * cells + cell) * channels + c];
        ChannelColumns.Publish(shared, 0, sum);
        Group.Barrier();
        if (Warp.WarpIdx == 0 && c < channels) y[n * channels + c] = ChannelColumns.SumOfWarps(shared, 0) / cells;
    }
}
