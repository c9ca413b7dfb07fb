using NeuralCore.Kernels.Gpu;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Tests.Gpu;

/// <summary>Device tensors on the emulator: transfers, strided copies, fills and the caching allocator.</summary>
public class GpuRuntimeTests
{
    [Fact]
    public void RoundTripThroughTheDeviceKeepsEveryBit()
    {
        var values = Enumerable.Range(0, 37).Select(i => MathF.Sin(i) * 1e3f).ToArray();
        using var host = Tensor.FromArray(values, [37]);
        using var device = host.To(Device.Emulated);
        using var back = device.To(Device.Cpu);
        Assert.Equal(Device.Emulated, device.Device);
        Assert.Equal(values, back.ToArray<float>());
        Assert.Equal(values, device.ToArray<float>());
    }

    [Fact]
    public void StridedViewsCopyToContiguousAsOnTheHost()
    {
        var values = Enumerable.Range(0, 2 * 5 * 4 * 3).Select(i => (float)i).ToArray();
        using var host = Tensor.FromArray(values, [2, 5, 4, 3]);
        using var device = host.To(Device.Emulated);
        using var hostSlice = host.Slice(2, 1, 2);
        using var deviceSlice = device.Slice(2, 1, 2);
        using var hostCopy = hostSlice.Contiguous();
        using var deviceCopy = deviceSlice.Contiguous();
        Assert.Equal(hostCopy.ToArray<float>(), deviceCopy.ToArray<float>());

        using var target = Tensor.Zeros([2, 5, 4, 3], device: Device.Emulated);
        using var targetSlice = target.Slice(1, 2, 3);
        using var source = host.Slice(1, 0, 3);
        targetSlice.CopyFrom(source);
        var got = target.ToArray<float>();
        for (int n = 0; n < 2; n++)
            for (int h = 0; h < 5; h++)
                for (int w = 0; w < 4; w++)
                    for (int c = 0; c < 3; c++)
                    {
                        float expected = h >= 2 ? values[((n * 5 + h - 2) * 4 + w) * 3 + c] : 0f;
                        Assert.Equal(expected, got[((n * 5 + h) * 4 + w) * 3 + c]);
                    }
    }

    [Fact]
    public void FillsEveryDType()
    {
        using var f = Tensor.Full([3, 7], -2.5, DType.Float32, Device.Emulated);
        using var i = Tensor.Full([5], 7, DType.Int32, Device.Emulated);
        using var d = Tensor.Full([4], 0.1, DType.Float64, Device.Emulated);
        using var b = Tensor.Full([9], 200, DType.UInt8, Device.Emulated);
        Assert.All(f.ToArray<float>(), v => Assert.Equal(-2.5f, v));
        Assert.All(i.ToArray<int>(), v => Assert.Equal(7, v));
        Assert.All(d.ToArray<double>(), v => Assert.Equal(0.1, v));
        Assert.All(b.ToArray<byte>(), v => Assert.Equal(200, v));
    }

    [Fact]
    public void FreedBlocksAreReusedWithoutNewDriverAllocations()
    {
        var pool = GpuDevices.Open(Device.Emulated).Pool;
        Tensor.Empty([1000, 33], device: Device.Emulated).Dispose();
        long before = pool.DriverAllocations;
        for (int step = 0; step < 5; step++)
        {
            using var a = Tensor.Empty([1000, 33], device: Device.Emulated);
        }
        Assert.Equal(before, pool.DriverAllocations);
    }

    [Fact]
    public void CudaEitherOpensOrSaysWhyInOneLine()
    {
        string? reason = GpuDevices.CudaUnavailableReason();
        if (reason is null)
        {
            Assert.Equal(Device.Cuda(0), GpuDevices.Open("cuda").Device);
            return;
        }
        var error = Assert.Throws<GpuUnavailableException>(() => GpuDevices.Open("cuda:0"));
        Assert.Equal($"--device cuda:0: {reason}", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains(GpuDevices.List(), d => d.Device == Device.Emulated);
    }

    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData("CUDA", "cuda:0")]
    [InlineData("cuda:3", "cuda:3")]
    [InlineData("emulated", "emulated")]
    public void DevicesParseTheirOwnSpelling(string text, string expected) => Assert.Equal(expected, Device.Parse(text).ToString());

    [Fact]
    public void UnknownDeviceNamesAreRefusedWithTheChoices()
    {
        var error = Assert.Throws<FormatException>(() => Device.Parse("gpu"));
        Assert.Contains("cpu, cuda, cuda:N or emulated", error.Message);
    }
}
