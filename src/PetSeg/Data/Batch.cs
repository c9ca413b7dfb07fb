using NeuralCore.Layers;
using NeuralCore.Tensors;

namespace PetSeg.Data;

/// <summary>
/// One batch from a <see cref="DataLoader"/>. The consumer owns it and must dispose it (a <c>using</c> per step):
/// its tensors belong to no <see cref="TensorScope"/>, because they are made on the loader's producer thread.
/// </summary>
/// <param name="Images">float32 [N, H, W, 3], normalised for the model, on the loader's device.</param>
/// <param name="Labels">int32 [N, H, W], class ids, on the loader's device.</param>
/// <param name="Names">Sample names, one per row of the batch.</param>
public sealed record Batch(Tensor Images, Tensor Labels, string[] Names) : IDisposable
{
    public int Count => Names.Length;

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>How a <see cref="DataLoader"/> cuts, orders, augments and normalises samples.</summary>
public sealed record DataLoaderOptions
{
    public required int BatchSize { get; init; }

    /// <summary>Reshuffle every epoch (from Seed and the epoch number); false keeps the index order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Leave out the last batch when it is smaller than BatchSize.</summary>
    public bool DropLast { get; init; }

    /// <summary>
    /// Leave out a last batch with fewer images than this (training a model whose deepest batch norm is 1x1 needs
    /// 2); a longer last batch is kept, as Keras keeps it. The left-out images are in other batches in other epochs.
    /// </summary>
    public int SmallestBatch { get; init; } = 1;

    /// <summary>Seeds shuffling and augmentation; the same seed gives the same batches, bit for bit.</summary>
    public ulong Seed { get; init; }

    public InputNormalization Normalization { get; init; } = InputNormalization.ZeroToOne;

    public AugmentationOptions Augmentation { get; init; } = AugmentationOptions.None;

    /// <summary>Batches prepared ahead on a background thread; 0 prepares each batch on the consumer's thread.</summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>
    /// Where batches are made. On a GPU the samples are written into page-locked memory and copied on a copy stream
    /// by the thread that prepares them, so that with prefetching the copy overlaps the trainer's compute; the CPU
    /// (the default) makes host tensors as before.
    /// </summary>
    public Device Device { get; init; } = Device.Cpu;

    public void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentException($"batch size {BatchSize}, expected at least 1");
        if (SmallestBatch < 1 || SmallestBatch > BatchSize)
            throw new ArgumentException($"smallest batch {SmallestBatch}, expected 1 to the batch size {BatchSize}");
        if (PrefetchBatches < 0) throw new ArgumentException($"prefetch depth {PrefetchBatches}, expected 0 or more");
        Augmentation.Validate();
    }
}
