using NeuralCore.Kernels;
using NeuralCore.Layers;
using NeuralCore.Layers.Losses;
using NeuralCore.Layers.Optim;
using NeuralCore.Layers.Training;
using NeuralCore.Tensors;
using PetSeg.Data;

namespace PetSeg.Tests.Data;

/// <summary>
/// Batches made for a GPU (here the emulator): samples written into page-locked blocks and copied on the producer
/// thread's copy stream. They must be the host loader's batches, in the same order, on the device; and training on
/// them (the copy of the next batch overlapping the step) must give the same numbers as uploading each batch in the step.
/// </summary>
public sealed class DeviceLoaderTests : IDisposable
{
    private const int SampleCount = 7, Side = 8;
    private readonly TempFolder _temp = new();
    private readonly SampleCache _cache;

    public DeviceLoaderTests()
    {
        TinyDatasets.WriteCleanOxford(_temp.Path, SampleCount, 20, 16);
        _cache = SampleCache.OpenOrBuild(OxfordPetDataset.Open(_temp.Path), new CacheSettings(_temp.Combine("cache"), Side, Side));
    }

    public void Dispose()
    {
        _cache.Dispose();
        _temp.Dispose();
    }

    private static readonly DataLoaderOptions Augmented =
        new() { BatchSize = 3, Seed = 9, Augmentation = AugmentationOptions.Clothing with { Rot90 = 0.5f } };

    private DataLoader Loader(DataLoaderOptions options) => new(_cache, Enumerable.Range(0, SampleCount).ToArray(), options);

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void DeviceBatchesAreTheHostBatchesInTheSameOrderEveryEpoch(int prefetch)
    {
        using var host = Loader(Augmented);
        using var device = Loader(Augmented with { Device = Device.Emulated, PrefetchBatches = prefetch });
        for (int epoch = 0; epoch < 2; epoch++)
        {
            using var expected = host.Epoch(epoch).GetEnumerator();
            int count = 0;
            foreach (var batch in device.Epoch(epoch))
            {
                using (batch)
                {
                    Assert.True(expected.MoveNext(), $"epoch {epoch}: the device loader made more batches than the host loader");
                    using var want = expected.Current;
                    Assert.Equal(Device.Emulated, batch.Images.Device);
                    Assert.Equal(Device.Emulated, batch.Labels.Device);
                    Assert.Equal(want.Names, batch.Names);
                    Assert.Equal(want.Images.Shape, batch.Images.Shape);
                    Assert.Equal(want.Images.ToArray<float>(), batch.Images.ToArray<float>()); // bit-identical floats
                    Assert.Equal(want.Labels.ToArray<int>(), batch.Labels.ToArray<int>());
                    count++;
                }
            }
            Assert.False(expected.MoveNext(), $"epoch {epoch}: the device loader made fewer batches than the host loader");
            Assert.Equal(host.BatchCount, count);
        }
    }

    /// <summary>
    /// An epoch (two steps) of a small convolution on the emulator, fed once by the device loader (batches uploaded
    /// ahead on the copy stream while the previous step computes) and once by the host loader (each batch uploaded by
    /// the trainer in its step): the same losses and weights to the bit, since the kernels see the same data in the
    /// same order. (The emulator runs 256 threads per group on the CPU: a few steps are all CI can afford.)
    /// </summary>
    [Fact]
    public void TrainingOnBatchesUploadedAheadEqualsUploadingInTheStep()
    {
        var (aheadLosses, aheadWeights) = Train(Device.Emulated);
        var (inStepLosses, inStepWeights) = Train(Device.Cpu);
        Assert.Equal(2, aheadLosses.Count);
        Assert.Equal(inStepLosses, aheadLosses);
        Assert.Equal(inStepWeights.Keys, aheadWeights.Keys);
        foreach (var (name, weights) in inStepWeights) Assert.Equal(weights, aheadWeights[name]);
    }

    private (List<double> Losses, Dictionary<string, double[]> Weights) Train(Device loaderDevice)
    {
        var model = new Conv2d("head", 3, 3, new Size2d(3, 3), new RandomGenerator(5), padding: Padding2d.Same);
        model.MoveTo(Device.Emulated);
        using var optimizer = new Sgd(model.NamedParameters(), learningRate: 0.1);
        var trainer = new Trainer(optimizer, new SparseCrossEntropy(), classes: 3);
        using var loader = Loader(Augmented with { BatchSize = 4, Device = loaderDevice });
        var losses = new List<double>();
        foreach (var batch in loader.Epoch(1))
            using (batch)
                losses.Add(trainer.TrainStep(model, batch.Images, batch.Labels).Loss);
        return (losses, model.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor.ToDoubleArray()));
    }
}
