using NeuralCore.Tests;
using NeuralCore.Layers.Losses;
using NeuralCore.Layers.Optim;
using NeuralCore.Layers.Training;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Tests.Gpu;

/// <summary>
/// Whole models on the GPU backend: three training steps on the emulator (every forward and backward kernel, the
/// loss and the optimizer on the device) against the same three steps on the CPU from the same seed. Plain SGD makes
/// the comparison sharp: a parameter's change is lr times its gradient, so parameters agree as closely as the
/// gradients do (Adam would scale every small gradient difference up to a full step).
/// </summary>
public class EmulatedTrainingTests
{
    private const int Steps = 3;
    private const double LearningRate = 0.05;

    /// <summary>
    /// The classic U-Net at 1/16 width (4 base filters): convolutions, ReLU, max-pooling, dropout (the same Philox
    /// masks on both devices), transposed convolutions, concatenation, the loss and SGD, small enough for CI.
    /// </summary>
    [Fact]
    public void UNetTrainsOnTheEmulatorAsOnTheCpu() =>
        AssertSameTraining(() => new UNet(classes: 3, seed: 5, baseFilters: 4), size: 32, batch: 2, Sharp);

    /// <summary>
    /// The tutorial's model (batch norm, depthwise convolutions, ReLU6, zero padding) at 64x64. At 32x32 with batch 2
    /// its deepest batch norm normalises 2 values per channel, where even PyTorch's float32 and float64 gradients
    /// differ by about 100% (SeedModelTorchTests): there the losses agreed (1e-4 at step 1, within 1% after) but a
    /// first-layer weight ended 0.10 against 0.22 after three steps.
    /// </summary>
    [EmulatorLargeFact]
    [Trait("Emulator", "Large")]
    public void UNetMobileNetV2TrainsOnTheEmulatorAsOnTheCpu() =>
        AssertSameTraining(() => ModelZoo.Create(ModelZoo.UNetMobileNetV2, classes: 3, seed: 5), size: 64, batch: 2, WithBatchNorm);

    /// <summary>pix2pix needs 256x256 (eight stride-2 blocks); a sixteenth of its width keeps the emulator's work down.</summary>
    [EmulatorLargeFact]
    [Trait("Emulator", "Large")]
    public void UNetPix2PixTrainsOnTheEmulatorAsOnTheCpu() =>
        AssertSameTraining(() => new UNetPix2Pix(classes: 3, seed: 5, widthDivisor: 16), size: 256, batch: 2, WithBatchNorm);

    /// <summary>How closely the two devices must agree: the first step's loss (the forward pass alone), later losses, parameters.</summary>
    private sealed record Tolerances(double FirstLoss, double LaterLosses, double Parameters);

    private static readonly Tolerances Sharp = new(1e-4, 1e-4, 1e-4);

    /// <summary>
    /// Batch-norm models' gradients are ill-conditioned in exact arithmetic (a 1e-6 relative change of the weights moves
    /// MobileNetV2's input gradient by 2.9%; SeedModelTorchTests), so two float32 summation orders part after the first
    /// update: unet-mobilenetv2's second-step loss measured 1.17148 on the emulator against 1.17371 on the CPU (0.19%),
    /// with the first step equal to 1e-4. The forward is held to 1e-4; what follows to 1e-2 and 1e-3.
    /// </summary>
    private static readonly Tolerances WithBatchNorm = new(1e-4, 1e-2, 1e-3);

    private static void AssertSameTraining(Func<SegmentationModel> create, int size, int batch, Tolerances tol)
    {
        var cpu = Train(create(), Device.Cpu, size, batch);
        var emulated = Train(create(), Device.Emulated, size, batch);
        for (int s = 0; s < Steps; s++)
            Assert.True(Math.Abs(cpu.Losses[s] - emulated.Losses[s]) <= (s == 0 ? tol.FirstLoss : tol.LaterLosses) * Math.Abs(cpu.Losses[s]),
                $"step {s + 1}: loss {emulated.Losses[s]:G9} on the emulator, {cpu.Losses[s]:G9} on the cpu");
        foreach (var (name, expected) in cpu.Parameters)
        {
            var actual = emulated.Parameters[name];
            double scale = Math.Max(1e-3, expected.Max(Math.Abs));
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= tol.Parameters * scale,
                    $"{name}[{i}] after {Steps} steps: {actual[i]:G9} on the emulator, {expected[i]:G9} on the cpu (largest |value| {scale:G3})");
        }
    }

    private sealed record Run(double[] Losses, Dictionary<string, double[]> Parameters);

    private static Run Train(SegmentationModel model, Device device, int size, int batch)
    {
        model.SetBatchNormMomentum(0.1);
        model.MoveTo(device);
        using var optimizer = new Sgd(model.NamedParameters(), LearningRate);
        var trainer = new Trainer(optimizer, new SparseCrossEntropy(), model.Classes);
        var rng = new RandomGenerator(11);
        var losses = new double[Steps];
        for (int s = 0; s < Steps; s++)
        {
            using var scope = TensorScope.Begin();
            var pixels = new double[batch * size * size * 3];
            rng.FillNormal(pixels);
            var uniform = new double[batch * size * size];
            rng.FillUniform(uniform);
            var images = Tensor.FromArray(Array.ConvertAll(pixels, v => (float)v), [batch, size, size, 3]);
            var labels = Tensor.FromArray(Array.ConvertAll(uniform, u => Math.Min((int)(u * model.Classes), model.Classes - 1)), [batch, size, size]);
            losses[s] = trainer.TrainStep(model, images, labels).Loss;
        }
        return new Run(losses, model.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor.ToDoubleArray()));
    }
}
