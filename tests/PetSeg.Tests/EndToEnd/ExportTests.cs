using NeuralCore.Layers.Export.Onnx;
using PetSeg.Training;

namespace PetSeg.Tests.EndToEnd;

/// <summary><c>petseg export --checkpoint</c> on the trained run: the graph of the checkpoint's weights at its training size.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ExportTests(TrainedRun run)
{
    [Fact]
    public void Export_of_a_run_writes_its_checkpoint_at_the_training_size()
    {
        Assert.True(run.ExitCode == 0, run.Errors);
        var output = Path.Combine(run.Temp, "run.onnx");
        var (code, stdout, err) = TrainedRun.Cli("export", "--checkpoint", run.Folder, "--format", "onnx", "--out", output);
        Assert.True(code == 0, err);
        Assert.Contains("[batch, 32, 32, 3] NHWC", stdout);

        var trained = TrainedModel.Load(run.Folder, NeuralCore.Tensors.Device.Cpu, warn: _ => { });
        var expected = Path.Combine(run.Temp, "expected.onnx");
        OnnxExporter.Export(trained.Model, trained.ImageSize, trained.ImageSize, expected, normalization: trained.Normalization);
        Assert.Equal(File.ReadAllBytes(expected), File.ReadAllBytes(output));
    }
}
