using NeuralCore.Kernels.Gpu;
using NeuralCore.Tensors;

namespace PetSeg.Data;

/// <summary>
/// Fills a batch's tensors from the cache: one <see cref="SamplePreparer"/> per assembler, so one per thread. On the
/// CPU the samples go straight into the batch's tensors. On a GPU (<see cref="DataLoaderOptions.Device"/>) they go
/// straight into page-locked blocks, which are copied to the device on the assembler's own copy stream; the batch
/// is handed on once its copy has landed, so the trainer's compute stream never waits for it.
/// </summary>
internal sealed class BatchAssembler(SampleCache cache, DataLoaderOptions options) : IDisposable
{
    private readonly SamplePreparer _preparer = new(cache.Width, cache.Height, options.Normalization, cache.Method);
    private readonly BackgroundUploader? _uploader = options.Device.IsGpu ? new BackgroundUploader(options.Device) : null;

    /// <summary>The batch of the given data-set indices; its tensors belong to no scope (the consumer disposes them).</summary>
    public Batch Assemble(int epoch, int[] sampleIndices) =>
        _uploader is null ? AssembleOnHost(epoch, sampleIndices) : AssembleOnDevice(_uploader, epoch, sampleIndices);

    private Batch AssembleOnHost(int epoch, int[] sampleIndices)
    {
        int n = sampleIndices.Length;
        Tensor images, labels;
        using (TensorScope.Persistent())
        {
            images = Tensor.Empty(ImageShape(n), DType.Float32);
            labels = Tensor.Empty(LabelShape(n), DType.Int32);
        }
        try
        {
            var names = Fill(epoch, sampleIndices, images.Span<float>(), labels.Span<int>());
            return new Batch(images, labels, names);
        }
        catch
        {
            images.Dispose();
            labels.Dispose();
            throw;
        }
    }

    private Batch AssembleOnDevice(BackgroundUploader uploader, int epoch, int[] sampleIndices)
    {
        Shape imageShape = ImageShape(sampleIndices.Length), labelShape = LabelShape(sampleIndices.Length);
        using var imageBlock = uploader.Rent((long)imageShape.ElementCount * sizeof(float));
        using var labelBlock = uploader.Rent((long)labelShape.ElementCount * sizeof(int));
        var names = Fill(epoch, sampleIndices, imageBlock.Span<float>(imageShape.ElementCount), labelBlock.Span<int>(labelShape.ElementCount));
        Tensor? images = null, labels = null;
        try
        {
            images = uploader.Upload(imageBlock, imageShape, DType.Float32);
            labels = uploader.Upload(labelBlock, labelShape, DType.Int32);
        }
        catch
        {
            // The copy that was queued must land before its device memory or page-locked block can be reused.
            uploader.Complete();
            images?.Dispose();
            labels?.Dispose();
            throw;
        }
        // Waits on this (the producer's) thread; the page-locked blocks are free again once the copies have landed.
        uploader.Complete();
        return new Batch(images, labels, names);
    }

    private Shape ImageShape(int n) => [n, cache.Height, cache.Width, 3];

    private Shape LabelShape(int n) => [n, cache.Height, cache.Width];

    /// <summary>Prepares the samples into [N, H, W, 3] images and [N, H, W] labels; returns their names.</summary>
    private string[] Fill(int epoch, int[] sampleIndices, Span<float> imageData, Span<int> labelData)
    {
        int n = sampleIndices.Length, pixels = cache.Width * cache.Height;
        var names = new string[n];
        for (int k = 0; k < n; k++)
        {
            int index = sampleIndices[k];
            var draws = options.Augmentation.IsNone
                ? AugmentationDraws.Identity
                : AugmentationDraws.For(options.Augmentation, options.Seed, epoch, index);
            _preparer.Prepare(cache.Image(index), cache.Mask(index), draws,
                imageData.Slice(k * pixels * 3, pixels * 3), labelData.Slice(k * pixels, pixels));
            names[k] = cache.Samples[index].Name;
        }
        return names;
    }

    public void Dispose() => _uploader?.Dispose();
}
