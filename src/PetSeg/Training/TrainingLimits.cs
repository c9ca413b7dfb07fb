using NeuralCore.Layers;

namespace PetSeg.Training;

/// <summary>
/// What a model can train on, checked on the model before any data is prepared: the input sizes its strides allow,
/// and the smallest batch its batch norms can normalise (they need more than one value per channel).
/// </summary>
public static class TrainingLimits
{
    /// <summary>Throws one line naming <c>--image-size</c> unless the model's strides divide it.</summary>
    public static void CheckSize(SegmentationModel model, TrainOptions options)
    {
        int size = options.ImageSize, multiple = model.SizeMultiple;
        if (size % multiple == 0) return;
        int below = size / multiple * multiple;
        string suggestion = below > 0 ? $"{below} or {below + multiple}" : $"{multiple}";
        throw new ArgumentException($"--image-size {size}: {options.Model} halves the resolution {Math.Log2(multiple)} times, " +
            $"so the size must be a multiple of {multiple} (try {suggestion})");
    }

    /// <summary>Throws one line naming <c>--batch-size</c> when a full batch is too small for the model's batch norms.</summary>
    public static void CheckBatch(SegmentationModel model, TrainOptions options)
    {
        int size = options.ImageSize, deepest = size / model.SizeMultiple;
        if (options.BatchSize < SmallestBatch(model, size))
            throw new ArgumentException($"--batch-size {options.BatchSize} at --image-size {size}: {options.Model}'s deepest batch norm " +
                $"sees {deepest}x{deepest} pixels, so one image gives it one value per channel and no variance to estimate; " +
                $"use --batch-size 2 or more, or --image-size {2 * model.SizeMultiple}");
    }

    /// <summary>
    /// The fewest images a training batch may hold: 2 when the model has batch norm and its deepest feature map is
    /// 1x1 at <paramref name="imageSize"/>, otherwise 1. A shorter last batch of an epoch is left out.
    /// </summary>
    public static int SmallestBatch(SegmentationModel model, int imageSize)
    {
        int deepest = imageSize / model.SizeMultiple;
        bool batchNorm = model.Modules().Any(m => m.Module is BatchNorm2d);
        return batchNorm && deepest * deepest <= 1 ? 2 : 1;
    }
}
