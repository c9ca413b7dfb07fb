using System.CommandLine;
using NeuralCore.Layers.Import;

namespace PetSeg.Cli;

/// <summary>
/// <c>petseg weights convert IN OUT</c>: Keras .h5 or PyTorch .pth to .npz or .safetensors, and .npz to and from .safetensors.
/// Keras weights are named <c>&lt;layer&gt;/&lt;weight name&gt;</c> and keep Keras' layout and order, so the result
/// loads into a model by layer name just like the .h5 file.
/// </summary>
internal static class WeightsConvertCommand
{
    public static Command Create(CliIO io)
    {
        var input = new Argument<string>("IN") { Description = "Source: .h5, .npz, .safetensors or PyTorch .pth/.pt" };
        var output = new Argument<string>("OUT") { Description = "Destination: .npz or .safetensors (written atomically)" };
        var command = new Command("convert", "Convert a weight file to another format") { input, output };
        command.SetAction(parse =>
        {
            Convert(parse.GetValue(input)!, parse.GetValue(output)!, io);
            return PetSegCli.ExitOk;
        });
        return command;
    }

    private static void Convert(string inputPath, string outputPath, CliIO io)
    {
        var contents = WeightFile.Read(inputPath);
        var duplicate = contents.Tensors.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidDataException($"{inputPath}: tensor name '{duplicate.Key}' occurs {duplicate.Count()} times; names must be unique to convert");
        var metadata = new Dictionary<string, string>(contents.Metadata)
        {
            ["converted_from"] = Path.GetFileName(inputPath),
            ["source_format"] = contents.Format,
        };
        WeightFile.Write(outputPath, contents.Tensors, metadata);
        io.Out.WriteLine($"{outputPath}: {contents.Tensors.Count} tensors from {inputPath} ({contents.Format})");
    }
}
