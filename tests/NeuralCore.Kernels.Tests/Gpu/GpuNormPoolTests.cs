using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Tests.Gpu;

/// <summary>
/// What the catalog's small cases do not reach in the NormPool GPU kernels: batch-norm statistics over more row
/// blocks than a group has warps, a variance that a sum of squares would lose to cancellation, and max-pool ties and
/// NaNs, where the gradient must go to the reference's winner.
/// </summary>
public class GpuNormPoolTests
{
    [Fact]
    public void BatchNormMergesBlocksInEveryWarp()
    {
        // 40 * 40 rows = 13 blocks of 128 (the last one short): stage two's 8 warps merge one or two blocks each.
        Shape x = [1, 40, 40, 1], c = [1];
        var forward = new OpCase("13 blocks", [new(x), new(c, InputKind.Positive), new(c), new(c), new(c, InputKind.Positive)], new BatchNormAttrs(true));
        var backward = new OpCase("13 blocks", [new(x), new(x), new(c, InputKind.Positive), new(c), new(c, InputKind.Positive)], true);
        Assert.Null(DeviceConformance.Check(OpCatalog.BatchNorm, forward, Device.Emulated));
        Assert.Null(DeviceConformance.Check(OpCatalog.BatchNormBackward, backward, Device.Emulated));
    }

    [Fact]
    public void BatchNormVarianceSurvivesALargeMean()
    {
        // Values 1000 +- 0.05: in float, mean(x^2) - mean^2 would be lost to cancellation (an ulp of 1e6 is 0.06).
        const int rows = 1000;
        var values = Enumerable.Range(0, rows).Select(k => 1000f + 0.01f * (k * 37 % 11 - 5)).ToArray();
        double mean = values.Average(v => (double)v);
        double variance = values.Sum(v => ((double)v - mean) * ((double)v - mean)) / rows;
        using var xs = Tensor.FromArray(values, [rows, 1], Device.Emulated);
        using var gamma = Tensor.FromArray(new[] { 1f }, [1], Device.Emulated);
        using var beta = Tensor.FromArray(new[] { 0f }, [1], Device.Emulated);
        using var runningMean = Tensor.FromArray(new[] { 0f }, [1], Device.Emulated);
        using var runningVar = Tensor.FromArray(new[] { 1f }, [1], Device.Emulated);
        var r = Ops.BatchNorm(xs, gamma, beta, runningMean, runningVar, new BatchNormAttrs(true, Momentum: 1, Epsilon: 0));
        Assert.Equal(mean, r.SaveMean.ToArray<float>()[0], 1e-3);
        double invStd = r.SaveInvStd.ToArray<float>()[0];
        Assert.InRange(1 / (invStd * invStd), variance * 0.99, variance * 1.01);
        Assert.InRange(runningVar.ToArray<float>()[0], variance * rows / (rows - 1) * 0.99, variance * rows / (rows - 1) * 1.01);
    }

    [Fact]
    public void MaxPoolGradientGoesToTheFirstMaximumAndToNaN()
    {
        // Ties everywhere (zeros), one NaN and one shared maximum inside overlapping 3x3 windows.
        var values = new float[1 * 5 * 6 * 2];
        values[(2 * 6 + 3) * 2] = float.NaN;
        values[(1 * 6 + 1) * 2 + 1] = 2f;
        values[(3 * 6 + 4) * 2 + 1] = 2f;
        var attrs = Pool2dAttrs.Same(3, 1, 5, 6);
        using var host = Tensor.FromArray(values, [1, 5, 6, 2]);
        using var dyHost = Tensor.FromArray(Enumerable.Range(0, values.Length).Select(i => 1f + i).ToArray(), [1, 5, 6, 2]);
        Tensor expectedY, expectedDx;
        using (Backend.Use(KernelBackend.Reference))
        {
            expectedY = Ops.MaxPool2d(host, attrs);
            expectedDx = Ops.MaxPool2dBackward(host, dyHost, attrs);
        }
        using var x = host.To(Device.Emulated);
        using var dy = dyHost.To(Device.Emulated);
        using var y = Ops.MaxPool2d(x, attrs);
        using var dx = Ops.MaxPool2dBackward(x, dy, attrs);
        Assert.Equal(expectedY.ToArray<float>(), y.ToArray<float>());
        Assert.Equal(expectedDx.ToArray<float>(), dx.ToArray<float>());
    }
}
