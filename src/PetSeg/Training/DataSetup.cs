using NeuralCore.Layers;
using NeuralCore.Tensors;
using PetSeg.Data;

namespace PetSeg.Training;

/// <summary>
/// The data side of a run: which folder (the synthetic pets when none is given), the decoded-and-resized sample
/// cache, and the normalisation the model wants. Shared by train and eval so both read samples identically.
/// </summary>
public sealed class DataSetup : IDisposable
{
    /// <summary>The synthetic dataset is the same for every training seed, so runs with different seeds compare.</summary>
    public const int SyntheticSeed = 1;

    private DataSetup(ISegmentationDataset dataset, SampleCache cache)
    {
        Dataset = dataset;
        Cache = cache;
    }

    public ISegmentationDataset Dataset { get; }

    public SampleCache Cache { get; }

    public int Classes => Dataset.Mask.ClassCount;

    /// <summary>Opens (generating or building caches as needed) the dataset of <paramref name="options"/>.</summary>
    public static DataSetup Open(TrainOptions options, Action<string, int, int>? progress = null)
    {
        string root;
        var format = options.Format;
        var settings = new CacheSettings(Path.Combine(SyntheticCache.DefaultRoot(), "samples"), options.ImageSize, options.ImageSize);
        if (options.Data is null)
        {
            format = DatasetFormat.Synthetic;
            // Before any pet is drawn, a sample cache that could not fit is refused (the number of samples is known).
            settings.Validate();
            if (!SyntheticCache.IsComplete(Path.Combine(SyntheticCache.DefaultRoot(), SyntheticCache.FolderName(options.SyntheticCount, SyntheticSeed)),
                    options.SyntheticCount, SyntheticSeed))
                CacheSpace.Check(options.SyntheticCount, settings);
            root = SyntheticCache.Ensure(null, options.SyntheticCount, SyntheticSeed,
                done => progress?.Invoke("generating synthetic pets", done, options.SyntheticCount));
        }
        else
        {
            root = options.Data;
        }
        var dataset = SegmentationDatasets.Open(format, root, (ulong)options.Seed);
        var cache = SampleCache.OpenOrBuild(dataset, settings, p => progress?.Invoke("decoding and resizing", p.Done, p.Total));
        return new DataSetup(dataset, cache);
    }

    public IReadOnlyList<SkippedSample> Skipped => [.. Dataset.Skipped, .. Cache.Skipped];

    /// <summary>The data pipeline's scaling for the model: the encoder's pretrained preprocessing, or [0, 1].</summary>
    public static InputNormalization NormalizationFor(SegmentationModel model, bool pretrainedWeights) => model.Encoder?.PretrainedNormalization switch
    {
        InputNormalization.MinusOneToOne => InputNormalization.MinusOneToOne,
        InputNormalization.CaffeBgr when pretrainedWeights => InputNormalization.CaffeBgr,
        _ => InputNormalization.ZeroToOne,
    };

    /// <param name="stride">Serve every stride-th sample of the split only (a fixed subset that spans the whole
    /// split, e.g. every breed of a list sorted by breed).</param>
    /// <param name="smallestBatch">A shorter last batch is left out (see <see cref="TrainingLimits.SmallestBatch"/>).</param>
    /// <param name="device">Where the batches are made (the model's device: a GPU's batches are uploaded ahead).</param>
    public DataLoader Loader(DatasetSplit split, TrainOptions options, InputNormalization normalization, bool training, int stride = 1,
        int smallestBatch = 1, Device? device = null) =>
        new(Cache, Cache.IndicesOf(split).Where((_, k) => k % stride == 0).ToArray(), new DataLoaderOptions
        {
            BatchSize = options.BatchSize,
            Shuffle = training,
            DropLast = false,
            SmallestBatch = smallestBatch,
            Seed = (ulong)options.Seed,
            Normalization = normalization,
            Augmentation = training ? AugmentationOptions.Parse(options.Augmentation) : AugmentationOptions.None,
            Device = device ?? Device.Cpu,
        });

    public void Dispose() => Cache.Dispose();
}
