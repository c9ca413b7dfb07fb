using NeuralCore.Tests;
using NeuralCore.Kernels;
using NeuralCore.Layers.Losses;
using NeuralCore.Layers.Optim;
using NeuralCore.Layers.Training;
using NeuralCore.Tensors;
using Xunit.Abstractions;

namespace NeuralCore.Layers.Tests.Gpu;

/// <summary>
/// Whole models on the GPU backend: three training steps on the emulator (every forward and backward kernel, the
/// loss and the optimizer on the device) against the same three steps on the CPU from the same seed. Plain SGD makes
/// the comparison sharp: a parameter's change is lr times its gradient, so parameters agree as closely as the
/// gradients do (Adam would scale every small gradient difference up to a full step).
/// </summary>
public class EmulatedTrainingTests(ITestOutputHelper output)
{
    private const int Steps = 3;
    private const double LearningRate = 0.05;

    /// <summary>
    /// The classic U-Net at 1/16 width (4 base filters): convolutions, ReLU, max-pooling, dropout (the same Philox
    /// masks on both devices), transposed convolutions, concatenation, the loss and SGD, small enough for CI. Without
    /// batch norm the steps are well conditioned: losses and every parameter agree to 1e-4.
    /// </summary>
    [Fact]
    public void UNetTrainsOnTheEmulatorAsOnTheCpu()
    {
        var (cpu, emulated) = (Train(NewUNet(), Device.Cpu), Train(NewUNet(), Device.Emulated));
        Report("emulated", emulated, cpu);
        AssertWithin(emulated, cpu, firstLoss: 1e-4, laterLosses: 1e-4, parameters: 1e-4);

        static SegmentationModel NewUNet() => new UNet(classes: 3, seed: 5, baseFilters: 4);
    }

    /// <summary>The tutorial's model (batch norm, depthwise convolutions, ReLU6, zero padding) at 64x64, batch 2.</summary>
    [EmulatorLargeFact]
    [Trait("Emulator", "Large")]
    public void UNetMobileNetV2TrainsOnTheEmulatorAsOnTheCpu() =>
        AssertSameTrainingWithBatchNorm(() => ModelZoo.Create(ModelZoo.UNetMobileNetV2, classes: 3, seed: 5), 64);

    /// <summary>pix2pix needs 256x256 (eight stride-2 blocks); a sixteenth of its width keeps the emulator's work down.</summary>
    [EmulatorLargeFact]
    [Trait("Emulator", "Large")]
    public void UNetPix2PixTrainsOnTheEmulatorAsOnTheCpu() =>
        AssertSameTrainingWithBatchNorm(() => new UNetPix2Pix(classes: 3, seed: 5, widthDivisor: 16), 256);

    /// <summary>
    /// Training-mode batch norm over few values per channel makes the steps ill-conditioned in exact arithmetic, so no
    /// fixed tolerance separates "another float32 summation order" from "wrong": measured for unet-mobilenetv2 at 64x64,
    /// batch 2, the CPU's own Reference kernels (plain loops, float32) end three steps up to 87% of a tensor's largest
    /// value away from the Cpu kernels (block_1 depthwise BN beta), while their first losses are equal. So the yardstick
    /// is that second correct float32 run: the first step's loss (the forward pass alone) must agree to 1e-4, and after
    /// it the emulator may be no further from the Cpu kernels than a small multiple of the Reference kernels' distance,
    /// in the losses and in the worst parameter relative to its tensor's largest value. One such distance is a single
    /// draw from a wide spread: in the run that set the multiple (64x64, batch 2) the emulator's step-2 loss was 1e-7
    /// from the Cpu kernels' and the Reference's 5.6e-5, while at step 3 the emulator was 1.21e-3 away against the
    /// Reference's 5.9e-4 (2.05x; a bound of twice failed there) and its worst parameter 0.995 of its tensor's largest
    /// value against 0.868. Hence four times; a wrong kernel misses by orders of magnitude, and the first loss is sharp.
    /// </summary>
    private const double YardstickMultiple = 4;

    private void AssertSameTrainingWithBatchNorm(Func<SegmentationModel> create, int size)
    {
        var cpu = Train(create(), Device.Cpu, size);
        Run reference;
        using (Backend.Use(KernelBackend.Reference)) reference = Train(create(), Device.Cpu, size);
        var emulated = Train(create(), Device.Emulated, size);
        var yardstick = Report("reference (float32 loops)", reference, cpu);
        Report("emulated", emulated, cpu);
        AssertWithin(emulated, cpu, firstLoss: 1e-4,
            laterLosses: Math.Max(1e-4, YardstickMultiple * yardstick.WorstLaterLoss), parameters: Math.Max(1e-4, YardstickMultiple * yardstick.WorstParameter));
    }

    private sealed record Run(double[] Losses, Dictionary<string, double[]> Parameters);

    /// <summary>How far <paramref name="run"/> ended from <paramref name="cpu"/>: relative loss after step 1, worst parameter of its tensor's scale.</summary>
    private sealed record Distance(double WorstLaterLoss, double WorstParameter, string WorstTensor);

    private Distance Report(string label, Run run, Run cpu)
    {
        double worstLoss = Enumerable.Range(1, Steps - 1).Max(s => RelativeLossError(run, cpu, s));
        var worst = cpu.Parameters.Select(p => (p.Key, Error: WorstParameterError(run.Parameters[p.Key], p.Value))).MaxBy(p => p.Error);
        output.WriteLine($"{label}: losses {string.Join(", ", run.Losses.Select(l => l.ToString("G9")))} (cpu {string.Join(", ", cpu.Losses.Select(l => l.ToString("G9")))}); " +
            $"worst parameter {worst.Error:G3} of its tensor's largest value ({worst.Key})");
        return new Distance(worstLoss, worst.Error, worst.Key);
    }

    private static void AssertWithin(Run emulated, Run cpu, double firstLoss, double laterLosses, double parameters)
    {
        for (int s = 0; s < Steps; s++)
            Assert.True(RelativeLossError(emulated, cpu, s) <= (s == 0 ? firstLoss : laterLosses),
                $"step {s + 1}: loss {emulated.Losses[s]:G9} on the emulator, {cpu.Losses[s]:G9} on the cpu (allowed {(s == 0 ? firstLoss : laterLosses):G3} relative)");
        foreach (var (name, expected) in cpu.Parameters)
        {
            double error = WorstParameterError(emulated.Parameters[name], expected);
            Assert.True(error <= parameters,
                $"{name} after {Steps} steps: {error:G3} of its largest value apart on the emulator and the cpu (allowed {parameters:G3})");
        }
    }

    private static double RelativeLossError(Run run, Run cpu, int step) => Math.Abs(run.Losses[step] - cpu.Losses[step]) / Math.Abs(cpu.Losses[step]);

    /// <summary>max |actual - expected| over the tensor, divided by its largest |expected| (at least 1e-3).</summary>
    private static double WorstParameterError(double[] actual, double[] expected)
    {
        double scale = Math.Max(1e-3, expected.Max(Math.Abs)), worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]));
        return worst / scale;
    }

    private static Run Train(SegmentationModel model, Device device, int size = 32, int batch = 2)
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
