using NeuralCore.Autograd;
using NeuralCore.Kernels;
using NeuralCore.Layers.Losses;
using NeuralCore.Layers.Metrics;
using NeuralCore.Layers.Optim;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Training;

/// <summary>
/// The core of the training loop: one optimizer step per batch, and evaluation over a set of batches. Every tensor
/// a step creates (activations, loss, predictions) lives in a <see cref="TensorScope"/> that ends with the step, and
/// the gradients are released after the update, so memory is flat from step to step.
/// </summary>
public sealed class Trainer(Optimizer optimizer, Loss loss, int classes, int? ignoreLabel = null)
{
    public Optimizer Optimizer { get; } = optimizer;

    public Loss Loss { get; } = loss;

    public int Classes { get; } = classes;

    /// <summary>The label of pixels that count for neither loss nor metrics (pass the same to the loss), or null.</summary>
    public int? IgnoreLabel { get; } = ignoreLabel;

    /// <summary>
    /// Forward in training mode, loss, backward, optimizer step. Throws <see cref="NonFiniteLossException"/> before
    /// anything is updated when the loss is NaN or infinite.
    /// </summary>
    /// <param name="images">[N, H, W, C] float.</param>
    /// <param name="labels">[N, H, W] int32.</param>
    /// <param name="confusion">When given, the step's predictions are added to it (training metrics of an epoch).</param>
    public StepResult TrainStep(Module model, Tensor images, Tensor labels, ConfusionMatrix? confusion = null)
    {
        using var scope = TensorScope.Begin();
        model.Train();
        Optimizer.ZeroGrad();
        (images, labels) = OnModelDevice(model, images, labels);
        var logits = model.Forward(images);
        var lossTensor = Loss.Forward(logits, labels);
        double lossValue = ScalarOf(lossTensor);
        if (!double.IsFinite(lossValue))
        {
            Tape.Current.Clear();
            throw new NonFiniteLossException(Optimizer.StepCount + 1, lossValue);
        }
        lossTensor.Backward();
        Optimizer.Step();
        Optimizer.ZeroGrad();
        var (correct, total) = CountPixels(logits, labels, confusion);
        return new StepResult(Optimizer.StepCount, lossValue, Optimizer.LearningRate, correct, total);
    }

    /// <summary>
    /// The loss and the confusion matrix over <paramref name="batches"/>, in inference mode without recording
    /// gradients. The model's mode is restored afterwards. The batches stay the caller's (they are not disposed).
    /// </summary>
    public EvaluationResult Evaluate(Module model, IEnumerable<(Tensor Images, Tensor Labels)> batches)
    {
        bool wasTraining = model.Training;
        var confusion = new ConfusionMatrix(Classes, IgnoreLabel);
        double lossSum = 0;
        long images = 0;
        int count = 0;
        model.Eval();
        try
        {
            using var noGrad = GradMode.NoGrad();
            foreach (var (x, y) in batches)
            {
                using var scope = TensorScope.Begin();
                var (xs, ys) = OnModelDevice(model, x, y);
                var logits = model.Forward(xs);
                lossSum += ScalarOf(Loss.Forward(logits, ys)) * x.Shape[0];
                images += x.Shape[0];
                count++;
                CountPixels(logits, ys, confusion);
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        return new EvaluationResult(images == 0 ? double.NaN : lossSum / images, confusion, count, images);
    }

    /// <summary>A batch on the model's device: host batches are copied to a GPU model (owned by the step's scope).</summary>
    private static (Tensor Images, Tensor Labels) OnModelDevice(Module model, Tensor images, Tensor labels)
    {
        var device = model.Device;
        return images.Device == device && labels.Device == device ? (images, labels) : (images.To(device), labels.To(device));
    }

    private static double ScalarOf(Tensor t) => t.DType == DType.Float64 ? t.Item<double>() : t.Item<float>();

    /// <summary>Argmax predictions against the labels: (correct, counted) pixels, and the confusion matrix when given.</summary>
    private (long Correct, long Total) CountPixels(Tensor logits, Tensor labels, ConfusionMatrix? confusion)
    {
        using var predicted = Ops.Argmax(logits);
        // Predictions and labels are compared on the host (one download each on a GPU).
        var p = predicted.ToArray<int>();
        var t = labels.ToArray<int>();
        if (p.Length != t.Length)
            throw new ArgumentException($"trainer: predictions {predicted.Describe()} do not match labels {labels.Describe()}");
        confusion?.Add(t, p);
        long correct = 0, total = 0;
        for (int i = 0; i < t.Length; i++)
        {
            if (t[i] == IgnoreLabel) continue;
            total++;
            if (t[i] == p[i]) correct++;
        }
        return (correct, total);
    }
}
