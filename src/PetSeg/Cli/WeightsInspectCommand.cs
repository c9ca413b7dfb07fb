using System.CommandLine;
using NeuralCore.Layers.Import;
using Spectre.Console;

namespace PetSeg.Cli;

/// <summary>
/// <c>petseg weights inspect FILE</c>: every tensor of a weight file (name, dtype, shape, values) as a table, with the
/// Keras layout recognised and the layer count, so a user sees what a pretrained file holds before loading it.
/// </summary>
internal static class WeightsInspectCommand
{
    public static Command Create(CliIO io)
    {
        var file = new Argument<string>("FILE") { Description = "Weight file: Keras .h5 (1, 2 or 3), .npz, .safetensors or PyTorch .pth/.pt" };
        var command = new Command("inspect", "List every tensor of a weight file") { file };
        command.SetAction(parse =>
        {
            Inspect(parse.GetValue(file)!, io);
            return PetSegCli.ExitOk;
        });
        return command;
    }

    private static void Inspect(string path, CliIO io)
    {
        var contents = WeightFile.Read(path);
        var values = contents.Tensors.Sum(t => t.ElementCount);
        var summary = contents.KerasLayers is { } layers
            ? $"Keras layout {contents.Format}, {layers.Count} layers ({layers.Count(l => l.Weights.Count > 0)} with weights)"
            : $"format {contents.Format}";
        io.Out.WriteLine($"{path}: {summary}, {contents.Tensors.Count} tensors, {values:N0} values");

        var table = new Table().AddColumn("Name").AddColumn("DType").AddColumn("Shape").AddColumn(new TableColumn("Values").RightAligned());
        foreach (var tensor in contents.Tensors)
            table.AddRow(new Text(tensor.Name), new Text(tensor.DType.ToString()), new Text(tensor.ShapeText), new Text(tensor.ElementCount.ToString("N0")));
        io.Ansi().Write(table);
        foreach (var (key, value) in contents.Metadata) io.Out.WriteLine($"metadata {key}: {value}");
    }
}
