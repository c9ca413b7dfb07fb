using NeuralCore.Layers;
using NeuralCore.Layers.Export.Onnx;
using NeuralCore.Layers.Import;
using PetSeg.Cli;
using PetSeg.Tests.EndToEnd;

namespace PetSeg.Tests.Cli;

/// <summary>
/// <c>petseg export</c> with <c>--weights</c>: the file it writes is byte for byte what the exporter writes for the
/// same weights (the numbers themselves are checked against ONNX Runtime in NeuralCore.Layers.Tests), and bad
/// invocations fail with one line and leave no file.
/// </summary>
public sealed class ExportCommandTests : IDisposable
{
    private const string ModelName = "unet-mobilenetv2";
    private readonly string _folder = Directory.CreateTempSubdirectory("petseg-export-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Weights_export_writes_the_graph_of_those_weights()
    {
        var model = ModelZoo.Create(ModelName, 3, seed: 7);
        var weights = Path.Combine(_folder, "weights.npz");
        Npz.Write(weights, KerasWeightMapper.Export(model).SelectMany(l => l.Weights), compressed: false);
        var output = Path.Combine(_folder, "model.onnx");

        var (code, stdout, err) = TrainedRun.Cli("export", "--weights", weights, "--model", ModelName, "--size", "32", "--format", "onnx", "--out", output);
        Assert.True(code == 0, err);
        Assert.Contains("opset 17", stdout);
        Assert.Contains("[batch, 32, 32, 3] NHWC", stdout);

        var expected = Path.Combine(_folder, "expected.onnx");
        OnnxExporter.Export(model, 32, 32, expected, normalization: InputNormalization.MinusOneToOne);
        Assert.Equal(File.ReadAllBytes(expected), File.ReadAllBytes(output));
    }

    [Theory]
    [InlineData("give --checkpoint RUN, or --weights FILE", "--out", "{0}")]
    [InlineData("not both", "--checkpoint", "run", "--weights", "w.npz", "--out", "{0}")]
    [InlineData("not divisible by 32", "--weights", "{1}", "--size", "48", "--out", "{0}")]
    [InlineData("'tflite'", "--format", "tflite", "--weights", "{1}", "--out", "{0}")]
    public void Bad_invocations_fail_with_one_line_and_write_nothing(string reason, params string[] args)
    {
        var weights = Path.Combine(_folder, "weights.npz");
        Npz.Write(weights, KerasWeightMapper.Export(ModelZoo.Create(ModelName, 3, seed: 1)).SelectMany(l => l.Weights), compressed: false);
        var output = Path.Combine(_folder, "model.onnx");
        var (code, _, err) = TrainedRun.Cli(["export", .. args.Select(a => string.Format(a, output, weights))]);
        Assert.Equal(PetSegCli.ExitFailure, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(reason, line);
        Assert.Equal(["weights.npz"], Directory.EnumerateFiles(_folder).Select(Path.GetFileName));
    }
}
