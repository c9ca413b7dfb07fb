using NeuralCore.Tests;
namespace PetSeg.Tests.EndToEnd;

/// <summary>
/// <c>petseg train --device emulated</c>: the whole application on the GPU backend (its kernels on the emulator)
/// trains as <c>--device cpu</c> does from the same seed. One epoch of plain SGD on the tiny settings, so the losses
/// and metrics agree as closely as float32 summation orders allow.
/// </summary>
[Collection(EndToEndCollection.Name)]
public class EmulatedDeviceTests(TrainedRun shared)
{
    [EmulatorLargeFact]
    [Trait("Emulator", "Large")]
    public void TrainingOnTheEmulatorMatchesTheCpu()
    {
        var cpu = TrainOn("cpu");
        var emulated = TrainOn("emulated");
        Assert.Contains("device: emulated", emulated.Output);
        for (int column = 2; column < cpu.Metrics.Length; column++)
            Assert.True(Math.Abs(cpu.Metrics[column] - emulated.Metrics[column]) <= 2e-3 * Math.Max(1, Math.Abs(cpu.Metrics[column])),
                $"metrics.csv column {column}: {emulated.Metrics[column]} on the emulator, {cpu.Metrics[column]} on the cpu");
    }

    /// <summary>
    /// <c>predict --device emulated</c> on the shared run's checkpoint: the checkpoint loads onto the device, the
    /// forward pass and argmax run there, and the mask equals the CPU's (a pixel may flip only where two classes'
    /// logits tie to float32 rounding).
    /// </summary>
    [Fact]
    public void PredictOnTheEmulatorGivesTheCpuMask()
    {
        var input = Path.Combine(shared.Temp, "emulated-input.png");
        File.WriteAllBytes(input, PetSeg.Codecs.PngEncoder.Encode(PredictTests.Picture(40, 33)));
        byte[] Mask(string device)
        {
            var outDir = Path.Combine(shared.Temp, "predict-" + device);
            var (code, output, err) = TrainedRun.Cli("predict", "--checkpoint", shared.Folder, "--input", input, "--out", outDir, "--device", device);
            Assert.True(code == 0, err);
            if (device == "emulated") Assert.StartsWith("device: emulated", output);
            return global::PetSeg.Codecs.ImageCodec.DecodeFile(Path.Combine(outDir, "emulated-input.png")).Pixels;
        }
        var cpu = Mask("cpu");
        var emulated = Mask("emulated");
        int differing = cpu.Zip(emulated).Count(p => p.First != p.Second);
        Assert.True(differing <= cpu.Length / 200, $"{differing} of {cpu.Length} mask pixels differ between the emulator and the cpu");
    }

    private (string Output, double[] Metrics) TrainOn(string device)
    {
        string folder = Path.Combine(shared.Temp, "device-" + device);
        var (code, output, errors) = TrainedRun.Cli(["train", .. TrainedRun.TinySettings, "--epochs", "1", "--optimizer", "sgd", "--lr", "0.05",
            "--lr-schedule", "constant", "--loss", "crossentropy", "--device", device, "--out", folder]);
        Assert.True(code == 0, $"train --device {device} exited {code}: {errors}");
        var row = File.ReadAllLines(Path.Combine(folder, "metrics.csv"))[1].Split(',');
        // Leave out the trailing timing columns (images per second, seconds), which differ by design.
        return (output, row[..^2].Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
    }
}
