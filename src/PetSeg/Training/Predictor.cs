using NeuralCore.Autograd;
using NeuralCore.Kernels;
using NeuralCore.Layers;
using NeuralCore.Tensors;
using PetSeg.Data;

namespace PetSeg.Training;

/// <summary>Class-index masks from RGB images already at the model's input size (eval mode, no gradients).</summary>
public sealed class Predictor(SegmentationModel model, InputNormalization normalization)
{
    private readonly Normalizer _normalizer = new(normalization);

    /// <summary>Predicts one [size, size] mask per image; <paramref name="rgb"/> holds the images back to back (HWC bytes).</summary>
    public byte[][] Predict(IReadOnlyList<byte[]> rgb, int size)
    {
        bool training = model.Training;
        model.Eval();
        try
        {
            using var scope = TensorScope.Begin();
            using var noGrad = GradMode.NoGrad();
            var images = Tensor.Empty([rgb.Count, size, size, 3]);
            var span = images.Span<float>();
            int pixels = size * size * 3;
            for (int i = 0; i < rgb.Count; i++) _normalizer.Normalize(rgb[i], span.Slice(i * pixels, pixels));
            var classes = Ops.Argmax(model.Forward(images.To(model.Device))).ToArray<int>();
            var masks = new byte[rgb.Count][];
            for (int i = 0; i < rgb.Count; i++)
            {
                masks[i] = new byte[size * size];
                for (int p = 0; p < size * size; p++) masks[i][p] = (byte)classes[i * size * size + p];
            }
            return masks;
        }
        finally
        {
            model.Train(training);
        }
    }
}
