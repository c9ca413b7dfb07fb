using System.CommandLine;

namespace PetSeg.Cli;

/// <summary>Options that several commands share, declared once so they read and validate the same everywhere.</summary>
internal static class CommonOptions
{
    public static readonly string[] Models = ["unet-mobilenetv2", "unet", "unet-pix2pix", "fcn8-vgg16", "unet-densenet121"];

    public static Option<string> Model() => Choice("--model", "Architecture", Models, "unet-mobilenetv2");

    public static Option<string> Weights(string description = "Pretrained weights (.h5, .npz, .safetensors or PyTorch .pth)") =>
        new("--weights") { Description = description, HelpName = "FILE" };

    public static Option<string> Data() => new("--data") { Description = "Dataset folder (Oxford-IIIT Pet layout or people-clothing)", HelpName = "DIR" };

    public static Option<string> Format() => Choice("--format", "Dataset layout", ["oxford", "clothing", "synthetic"], "oxford");

    public static Option<string> Checkpoint() =>
        new("--checkpoint") { Description = "Checkpoint file or run folder", HelpName = "CHECKPOINT", Required = true };

    /// <summary><c>--device auto|cpu|cuda[:N]|emulated</c> (auto: the first CUDA GPU when one is usable, else cpu).</summary>
    public static Option<string> Device(string defaultValue = Training.DeviceChoice.Auto)
    {
        var option = new Option<string>("--device")
        {
            Description = "Where to run: auto (the first CUDA GPU if usable, else cpu), cpu, cuda, cuda:N or emulated (the GPU kernels on the CPU, for tests)",
            HelpName = "DEVICE",
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } spec && !Training.DeviceChoice.IsValid(spec))
                result.AddError($"--device '{spec}': expected auto, cpu, cuda, cuda:N or emulated");
        });
        return option;
    }

    public static Option<int> Seed() => new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 0 };

    public static Option<string> Path(string name, string description, string helpName, bool required = false) =>
        new(name) { Description = description, HelpName = helpName, Required = required };

    public static Option<string> Choice(string name, string description, string[] choices, string defaultValue)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong(choices);
        return option;
    }

    public static Option<int> Positive(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (int.TryParse(text, out var value) && value > 0) return value;
            result.AddError($"{name} expects a positive integer, got '{text}'");
            return defaultValue;
        },
    };
}
