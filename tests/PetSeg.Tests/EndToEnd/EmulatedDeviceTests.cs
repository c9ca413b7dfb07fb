namespace PetSeg.Tests.EndToEnd;

/// <summary>
/// <c>petseg train --device emulated</c>: the whole application on the GPU backend (its kernels on the emulator)
/// trains as <c>--device cpu</c> does from the same seed. One epoch of plain SGD on the tiny settings, so the losses
/// and metrics agree as closely as float32 summation orders allow.
/// </summary>
[Collection(EndToEndCollection.Name)]
public class EmulatedDeviceTests(TrainedRun shared)
{
    [Fact]
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
