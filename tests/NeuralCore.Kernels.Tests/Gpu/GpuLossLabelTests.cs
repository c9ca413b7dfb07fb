using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Tests.Gpu;

/// <summary>Device labels are checked on the device: a bad one gives the CPU's named error, never a silent read past the row.</summary>
public class GpuLossLabelTests
{
    [Fact]
    public void AnOutOfRangeLabelOnTheDeviceIsNamed()
    {
        using var logits = Tensor.Zeros([2, 3, 4], device: Device.Emulated);
        using var labels = Tensor.FromArray(new[] { 0, 3, 1, 9, 2, 0 }, [2, 3], Device.Emulated);
        var cpuError = Assert.Throws<OpException>(() => Ops.SoftmaxCrossEntropy(logits.To(Device.Cpu), labels.To(Device.Cpu)));
        var gpuError = Assert.Throws<OpException>(() => Ops.SoftmaxCrossEntropy(logits, labels));
        Assert.Contains("label 9 at flat index 3", gpuError.Message);
        Assert.Equal(cpuError.Message.Replace(" on emulated", ""), gpuError.Message.Replace(" on emulated", ""));
    }

    [Fact]
    public void TheIgnoreLabelIsNotAnError()
    {
        using var logits = Tensor.Zeros([4, 3], device: Device.Emulated);
        using var labels = Tensor.FromArray(new[] { 0, 255, 2, 255 }, [4], Device.Emulated);
        using var result = Ops.SoftmaxCrossEntropy(logits, labels, ignoreLabel: 255);
        Assert.Equal(2f, result.WeightSum.Item<float>());
        Assert.Equal(MathF.Log(3), result.Loss.Item<float>(), 6);
    }
}
