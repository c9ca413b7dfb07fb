using NeuralCore.Autograd;
using NeuralCore.Layers;
using NeuralCore.Layers.Losses;
using NeuralCore.Tensors;
using NeuralCore.Tensors.Memory;
using PetSeg.Data;

namespace PetSeg.Training;

/// <summary>
/// The memory a training run will need, measured before any data is prepared: one training step of a throwaway copy
/// of the model on a small zero batch gives the bytes per image pixel that the step's activations, gradients and
/// workspaces take; scaled to the run's batch and size and added to the weights, their gradients and the optimizer
/// state, it is compared with the memory this process may use. A run that cannot fit is refused with the numbers.
/// </summary>
public static class TrainingMemory
{
    /// <summary>The probe's side: the model's size multiple, at least this.</summary>
    private const int ProbeSide = 64;

    /// <summary>Weights, gradients and up to two optimizer slots (Adam's moments), float32.</summary>
    private const int ParameterCopies = 4;

    /// <summary>
    /// What the process holds beyond the step's peak in use: the memory pool keeps freed blocks for reuse, and hands out
    /// blocks up to twice the size asked. Measured: 7.0 GB resident against an estimated peak of 5.2 GB for
    /// unet-mobilenetv2 at 512x512, batch 16 (1.35x); the run at 1024x1024, batch 16, estimated at 20.8 GB, was killed
    /// for memory on a 23 GB machine.
    /// </summary>
    private const double PoolHeadroom = 1.5;

    /// <summary>The loader's batches in memory at once (prefetched plus the one in use), images float32 and labels int32.</summary>
    private const int LoaderBatches = 3, LoaderBytesPerPixel = 3 * 4 + 4;

    /// <param name="FixedBytes">Weights, gradients and optimizer state.</param>
    /// <param name="BytesPerImagePixel">What each pixel of each image of a batch adds to a training step.</param>
    public sealed record Estimate(long FixedBytes, double BytesPerImagePixel)
    {
        /// <summary>A training step of <paramref name="batch"/> images of <paramref name="side"/> pixels square, with the optimizer state.</summary>
        public long StepBytes(int batch, int side) => FixedBytes + (long)(BytesPerImagePixel * batch * side * side);

        /// <summary>The step plus the data loader's batches.</summary>
        public long Bytes(int batch, int side) => StepBytes(batch, side) + (long)LoaderBatches * LoaderBytesPerPixel * batch * side * side;
    }

    /// <summary>
    /// Throws one line naming <c>--image-size</c> and <c>--batch-size</c> when the run's estimated memory exceeds what
    /// this process may use. A run no bigger than the probe step is not measured.
    /// </summary>
    /// <param name="model">The run's model: its size multiple and classes shape the probe, which trains a copy.</param>
    public static void Check(SegmentationModel model, TrainOptions options)
    {
        int side = (ProbeSide + model.SizeMultiple - 1) / model.SizeMultiple * model.SizeMultiple;
        int batch = TrainingLimits.SmallestBatch(model, side);
        if ((long)options.BatchSize * options.ImageSize * options.ImageSize <= (long)batch * side * side) return;
        var estimate = Measure(ModelZoo.Create(options.Model, model.Classes, options.Seed), Loss.Create(options.Loss), side, batch);
        long need = (long)(PoolHeadroom * estimate.Bytes(options.BatchSize, options.ImageSize));
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (need > available)
            throw new InsufficientMemoryException($"--image-size {options.ImageSize} --batch-size {options.BatchSize}: training {options.Model} " +
                $"needs about {CacheSpace.Gigabytes(need)} of memory ({CacheSpace.Gigabytes(estimate.FixedBytes)} of weights, gradients and " +
                $"optimizer state and {CacheSpace.Gigabytes((long)(estimate.BytesPerImagePixel * options.ImageSize * options.ImageSize))} per image, " +
                $"measured at {side}x{side} and scaled, plus half again for the memory pool), more than the {CacheSpace.Gigabytes(available)} " +
                "this process may use; use a smaller --image-size or --batch-size");
    }

    /// <summary>Measures one training step of <paramref name="model"/> (which it trains: pass a throwaway copy) on zeros.</summary>
    public static Estimate Measure(SegmentationModel model, Loss loss, int side, int batch)
    {
        var pool = NativeBlockPool.Shared;
        long parameterBytes = model.ParameterCount() * sizeof(float);
        using var images = Tensor.Zeros([batch, side, side, 3]);
        using var labels = Tensor.Zeros([batch, side, side], DType.Int32);
        // Tensors nobody disposed go back to the pool from finalizers; run them now, not in the middle of the step.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = pool.BytesInUse;
        pool.ResetPeak();
        using (TensorScope.Begin())
        {
            model.Train();
            loss.Forward(model.Forward(images), labels).Backward();
        }
        // The step's peak holds the gradients (the size of the weights) and the activations; only these scale.
        long activations = Math.Max(0, pool.PeakBytesInUse - before - parameterBytes);
        return new Estimate(ParameterCopies * parameterBytes, (double)activations / ((long)batch * side * side));
    }
}
