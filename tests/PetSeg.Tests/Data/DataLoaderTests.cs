using NeuralCore.Kernels;
using NeuralCore.Layers;
using NeuralCore.Layers.Losses;
using NeuralCore.Layers.Optim;
using NeuralCore.Layers.Training;
using NeuralCore.Tensors;
using PetSeg.Data;

namespace PetSeg.Tests.Data;

/// <summary>
/// Batches: shapes, ownership, seeded order, determinism across runs and timings, prefetch failure and shutdown; and
/// batches made for a GPU (here the emulator: samples written into page-locked blocks and copied on the producer
/// thread's copy stream), which must be the host loader's batches and train to the same numbers.
/// </summary>
public sealed class DataLoaderTests : IDisposable
{
    private const int SampleCount = 7, Side = 8;
    private readonly TempFolder _temp = new();
    private readonly SampleCache _cache;

    public DataLoaderTests()
    {
        TinyDatasets.WriteCleanOxford(_temp.Path, SampleCount, 20, 16);
        _cache = SampleCache.OpenOrBuild(OxfordPetDataset.Open(_temp.Path), new CacheSettings(_temp.Combine("cache"), Side, Side));
    }

    public void Dispose()
    {
        _cache.Dispose();
        _temp.Dispose();
    }

    private DataLoader Loader(DataLoaderOptions options) => new(_cache, Enumerable.Range(0, SampleCount).ToArray(), options);

    /// <summary>Every batch of one epoch as (names, image bits, labels), disposing each batch as a trainer would.</summary>
    private static List<(string[] Names, float[] Images, int[] Labels)> Collect(DataLoader loader, int epoch)
    {
        var batches = new List<(string[], float[], int[])>();
        foreach (var batch in loader.Epoch(epoch))
        {
            using (batch) batches.Add((batch.Names, batch.Images.ToArray<float>(), batch.Labels.ToArray<int>()));
        }
        return batches;
    }

    [Fact]
    public void BatchesHaveTheRightShapesAndCoverEverySampleOnce()
    {
        using var loader = Loader(new DataLoaderOptions { BatchSize = 3, Seed = 1, Normalization = InputNormalization.MinusOneToOne });
        Assert.Equal(3, loader.BatchCount);
        var sizes = new List<int>();
        var names = new List<string>();
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                Assert.Equal(new Shape(batch.Count, Side, Side, 3), batch.Images.Shape);
                Assert.Equal(DType.Float32, batch.Images.DType);
                Assert.Equal(new Shape(batch.Count, Side, Side), batch.Labels.Shape);
                Assert.Equal(DType.Int32, batch.Labels.DType);
                Assert.All(batch.Images.ToArray<float>(), v => Assert.InRange(v, -1f, 1f));
                Assert.All(batch.Labels.ToArray<int>(), v => Assert.InRange(v, 0, 2));
                sizes.Add(batch.Count);
                names.AddRange(batch.Names);
            }
        }
        Assert.Equal([3, 3, 1], sizes);
        Assert.Equal(_cache.Samples.Select(s => s.Name).Order(), names.Order());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void BatchesOutliveTheConsumersScope(int prefetch)
    {
        using var loader = Loader(new DataLoaderOptions { BatchSize = 2, PrefetchBatches = prefetch });
        Batch batch;
        using (TensorScope.Begin()) batch = loader.Epoch(0).First();
        using (batch)
        {
            Assert.False(batch.Images.IsDisposed || batch.Labels.IsDisposed, "the consumer owns batches, not its scope");
        }
        Assert.True(batch.Images.IsDisposed && batch.Labels.IsDisposed);
    }

    [Fact]
    public void DropLastLeavesOutTheShortBatch()
    {
        using var loader = Loader(new DataLoaderOptions { BatchSize = 3, DropLast = true });
        Assert.Equal(2, loader.BatchCount);
        Assert.All(Collect(loader, 0), b => Assert.Equal(3, b.Names.Length));
    }

    [Theory]
    [InlineData(3, 2, new[] { 3, 3 })] // 7 = 3 + 3 + 1: the single image is left out
    [InlineData(5, 2, new[] { 5, 2 })] // 7 = 5 + 2: a last batch of the smallest size is kept
    [InlineData(3, 1, new[] { 3, 3, 1 })]
    public void A_last_batch_below_the_smallest_batch_is_left_out(int batchSize, int smallest, int[] sizes)
    {
        using var loader = Loader(new DataLoaderOptions { BatchSize = batchSize, SmallestBatch = smallest });
        Assert.Equal(sizes.Length, loader.BatchCount);
        Assert.Equal(sizes, Collect(loader, 0).Select(b => b.Names.Length));
    }

    [Fact]
    public void Samples_that_make_no_batch_are_refused_with_the_numbers()
    {
        var e = Assert.Throws<ArgumentException>(() => new DataLoader(_cache, [0], new DataLoaderOptions { BatchSize = 4, SmallestBatch = 2 }));
        Assert.EndsWith(": 1 samples make no batch (batches of 4, at least 2)", e.Message);
    }

    [Fact]
    public void ShuffleIsSeededAndChangesWithTheEpoch()
    {
        using var loader = Loader(new DataLoaderOptions { BatchSize = 2, Seed = 3 });
        using var same = Loader(new DataLoaderOptions { BatchSize = 2, Seed = 3 });
        using var ordered = Loader(new DataLoaderOptions { BatchSize = 2, Shuffle = false });
        Assert.Equal(loader.EpochOrder(5), same.EpochOrder(5));
        Assert.NotEqual(loader.EpochOrder(0), loader.EpochOrder(1));
        Assert.Equal(Enumerable.Range(0, SampleCount), ordered.EpochOrder(4));
        Assert.Equal(Enumerable.Range(0, SampleCount), loader.EpochOrder(2).Order());
    }

    [Fact]
    public void SameSeedGivesIdenticalBatchesWithOrWithoutPrefetch()
    {
        var options = new DataLoaderOptions { BatchSize = 3, Seed = 9, Augmentation = AugmentationOptions.Clothing with { Rot90 = 0.5f } };
        using var prefetched = Loader(options);
        using var inline = Loader(options with { PrefetchBatches = 0 });
        using var deepQueue = Loader(options with { PrefetchBatches = 5 });
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var a = Collect(prefetched, epoch);
            var b = Collect(inline, epoch);
            var c = Collect(deepQueue, epoch);
            Assert.Equal(a.Count, b.Count);
            for (int k = 0; k < a.Count; k++)
            {
                Assert.Equal(a[k].Names, b[k].Names);
                Assert.Equal(a[k].Images, b[k].Images); // bit-identical floats
                Assert.Equal(a[k].Labels, b[k].Labels);
                Assert.Equal(a[k].Images, c[k].Images);
            }
        }
        Assert.NotEqual(Collect(prefetched, 0)[0].Images, Collect(prefetched, 1)[0].Images);
    }

    [Fact]
    public void HorizontalFlipMirrorsImageAndLabelsOfTheSameSample()
    {
        var plain = Collect(Loader(new DataLoaderOptions { BatchSize = SampleCount, Shuffle = false }), 0)[0];
        var flipped = Collect(Loader(new DataLoaderOptions
        {
            BatchSize = SampleCount, Shuffle = false, Augmentation = new AugmentationOptions { HorizontalFlip = 1f },
        }), 0)[0];
        for (int n = 0; n < SampleCount; n++)
        {
            for (int y = 0; y < Side; y++)
            {
                for (int x = 0; x < Side; x++)
                {
                    int p = (n * Side + y) * Side + x, mirrored = (n * Side + y) * Side + (Side - 1 - x);
                    Assert.Equal(plain.Labels[p], flipped.Labels[mirrored]);
                    for (int c = 0; c < 3; c++) Assert.Equal(plain.Images[3 * p + c], flipped.Images[3 * mirrored + c]);
                }
            }
        }
    }

    [Fact]
    public void ProducerFailureReachesTheConsumerAfterTheBatchesBeforeIt()
    {
        var plan = Enumerable.Range(0, 5).Select(i => new[] { i }).ToArray();
        var made = new List<Batch>();
        using var prefetcher = new BatchPrefetcher(indices =>
        {
            if (indices[0] == 3) throw new InvalidDataException("sample 3 is broken");
            var batch = FakeBatch(indices[0]);
            lock (made) made.Add(batch);
            return batch;
        }, plan, depth: 2, threadName: "test-producer");

        var received = new List<string>();
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var batch in prefetcher.Consume())
            {
                using (batch) received.Add(batch.Names[0]);
            }
        });
        Assert.Equal("sample 3 is broken", e.Message);
        Assert.Equal(["0", "1", "2"], received);
    }

    [Fact]
    public void LeavingEarlyStopsTheProducerAndFreesQueuedBatches()
    {
        var plan = Enumerable.Range(0, 50).Select(i => new[] { i }).ToArray();
        var made = new List<Batch>();
        var prefetcher = new BatchPrefetcher(indices =>
        {
            var batch = FakeBatch(indices[0]);
            lock (made) made.Add(batch);
            return batch;
        }, plan, depth: 2, threadName: "test-producer");
        var first = prefetcher.Consume().First();
        first.Dispose();
        prefetcher.Dispose(); // joins the producer thread

        lock (made)
        {
            Assert.InRange(made.Count, 1, 4); // the queue bound holds the producer back
            Assert.All(made, b => Assert.True(b.Images.IsDisposed && b.Labels.IsDisposed));
        }
    }

    [Fact]
    public void DisposingTheLoaderMidEpochStopsIt()
    {
        var loader = Loader(new DataLoaderOptions { BatchSize = 1 });
        using var epoch = loader.Epoch(0).GetEnumerator();
        Assert.True(epoch.MoveNext());
        epoch.Current.Dispose();
        loader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => loader.Epoch(1));
    }

    // ---- batches made on a GPU ----

    private static readonly DataLoaderOptions Augmented =
        new() { BatchSize = 3, Seed = 9, Augmentation = AugmentationOptions.Clothing with { Rot90 = 0.5f } };

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

    private static Batch FakeBatch(int id) =>
        new(Tensor.Zeros([1, 2, 2, 3]), Tensor.Zeros([1, 2, 2], DType.Int32), [id.ToString()]);
}
