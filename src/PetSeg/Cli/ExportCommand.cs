using System.CommandLine;
using NeuralCore.Layers;
using NeuralCore.Layers.Export.Onnx;
using PetSeg.Training;

namespace PetSeg.Cli;

/// <summary>
/// <c>petseg export</c>: writes a trained checkpoint, or a model with a weight file, as an ONNX inference graph
/// (opset 17, NHWC input 'images' and output 'logits', symbolic batch size) for ONNX Runtime and other engines.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliIO io)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint file or run folder to export", HelpName = "CHECKPOINT" };
        var weights = CommonOptions.Weights("Instead of --checkpoint: weights (.h5, .npz or .safetensors) for --model; " +
            "layers the file does not cover keep their seed initialisation");
        var model = CommonOptions.Model();
        var classes = CommonOptions.Positive("--classes", "Number of output classes (with --weights)", 3);
        var format = CommonOptions.Choice("--format", "Output format", ["onnx"], "onnx");
        var output = CommonOptions.Path("--out", "The file to write (written whole or not at all)", "model.onnx", required: true);
        var size = new Option<int?>("--size")
        {
            Description = "Input height and width of the graph (default: the checkpoint's training size; with --weights 128, 256 for unet-pix2pix)",
            HelpName = "N",
        };
        var command = new Command("export", "Export a model as an ONNX inference graph")
        {
            checkpoint, weights, model, classes, format, output, size,
        };
        command.SetAction(parse =>
        {
            var (network, trainedSize, normalization) = Load(parse.GetValue(checkpoint), parse.GetValue(weights), parse.GetValue(model)!,
                parse.GetValue(classes), io);
            int side = parse.GetValue(size) ?? trainedSize;
            network.CheckInput([1, side, side, 3]);
            var summary = OnnxExporter.Export(network, side, side, parse.GetValue(output)!, normalization: normalization);
            io.Out.WriteLine(summary.ToString());
            return PetSegCli.ExitOk;
        });
        return command;
    }

    /// <summary>The network to export, its default input size and the input scaling it expects.</summary>
    private static (SegmentationModel Model, int Size, InputNormalization Normalization) Load(string? checkpoint, string? weights,
        string modelName, int classes, CliIO io)
    {
        if (checkpoint is not null && weights is not null)
            throw new ArgumentException("export: give --checkpoint or --weights, not both");
        if (checkpoint is not null)
        {
            var trained = TrainedModel.Load(checkpoint, NeuralCore.Tensors.Device.Cpu, io.Warn);
            return (trained.Model, trained.ImageSize, trained.Normalization);
        }
        if (weights is null)
            throw new ArgumentException("export: give --checkpoint RUN, or --weights FILE with --model NAME");
        var network = ForwardCommand.CreateModel(modelName, classes, weights, encoderOnly: false, io);
        return (network, Math.Max(128, network.SizeMultiple), DataSetup.NormalizationFor(network, pretrainedWeights: true));
    }
}
