using System.CommandLine;
using NeuralCore.Autograd;
using NeuralCore.Layers;
using NeuralCore.Layers.Import;
using NeuralCore.Tensors;
using PetSeg.Training;

namespace PetSeg.Cli;

/// <summary>
/// <c>petseg forward</c>: runs a model (or its encoder alone) in eval mode on an input array, exactly as given, and
/// saves the logits and tapped encoder activations to an .npz, to compare layer by layer with Keras.
/// </summary>
internal static class ForwardCommand
{
    /// <summary>Seed of the initialisation that layers the weight file does not cover keep.</summary>
    public const int InitSeed = 0;

    public static Command Create(CliIO io)
    {
        var model = CommonOptions.Model();
        var weights = CommonOptions.Weights("Weights (.h5, .npz, .safetensors or PyTorch .pth; whole model or encoder only); " +
            $"without it the layers keep their seed-{InitSeed} initialisation");
        var input = CommonOptions.Path("--input", "Input batch [N, H, W, C] as .npy, fed as given (no preprocessing)", "x.npy", required: true);
        var output = CommonOptions.Path("--output", "Output arrays (.npz): logits (or the encoder's output) and the taps", "out.npz", required: true);
        var taps = new Option<string>("--taps") { Description = "Comma-separated Keras names of encoder layers whose activations to save", HelpName = "a,b" };
        var classes = CommonOptions.Positive("--classes", "Number of output classes", 3);
        var encoderOnly = new Option<bool>("--encoder-only") { Description = "Run only the pretrained encoder (any input size)" };
        var command = new Command("forward", "Run a forward pass and save outputs and activations (for comparison with Keras)")
        {
            model, weights, input, output, taps, classes, encoderOnly,
        };
        command.SetAction(parse =>
        {
            var network = CreateModel(parse.GetValue(model)!, parse.GetValue(classes), parse.GetValue(weights), parse.GetValue(encoderOnly), io);
            var tapNames = (parse.GetValue(taps) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
            var images = NpyArrays.ReadImages(parse.GetValue(input)!);
            string outputPath = parse.GetValue(output)!;
            var saved = Run(network, images, tapNames, parse.GetValue(encoderOnly));
            Npz.Write(outputPath, saved, compressed: false);
            io.Out.WriteLine($"{outputPath}: {string.Join(", ", saved.Select(t => $"{t.Name} {t.ShapeText}"))}");
            return PetSegCli.ExitOk;
        });
        return command;
    }

    /// <summary>
    /// Builds model <paramref name="name"/> and loads <paramref name="weightsPath"/> if given: into the encoder
    /// (Keras' rule) for <paramref name="encoderOnly"/>, else into the whole model by layer name, where an
    /// encoder-only file leaves the decoder initialised. Says on <paramref name="io"/> which weights are in use.
    /// </summary>
    public static SegmentationModel CreateModel(string name, int classes, string? weightsPath, bool encoderOnly, CliIO io)
    {
        var model = ModelZoo.Create(name, classes, InitSeed);
        if (encoderOnly && model.Encoder is null)
            throw new ArgumentException($"--encoder-only: model '{name}' has no pretrained encoder");
        if (weightsPath is null)
            io.Out.WriteLine($"no --weights: '{name}' keeps its seed-{InitSeed} random initialisation");
        else if (encoderOnly)
            io.Out.WriteLine(ModelSetup.LoadWeights(model, weightsPath));
        else
            io.Out.WriteLine(KerasWeightMapper.Load(model, weightsPath, MatchMode.Auto, allowPartial: true).ToString());
        return model;
    }

    private static List<RawTensor> Run(SegmentationModel model, Tensor images, string[] tapNames, bool encoderOnly)
    {
        model.Eval();
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var saved = new List<RawTensor>();
        if (!encoderOnly) saved.Add(NpyArrays.ToRaw("logits", model.Forward(images)));
        if (tapNames.Length == 0)
        {
            if (encoderOnly) saved.Add(NpyArrays.ToRaw("output", model.Encoder!.Forward(images)));
            return saved;
        }
        var encoder = model.Encoder ?? throw new ArgumentException($"--taps: model '{model.Name}' has no pretrained encoder to tap");
        CheckTaps(encoder, tapNames);
        var activations = encoder.ForwardTaps(images, tapNames);
        foreach (var tap in tapNames)
        {
            if (!activations.TryGetValue(tap, out var activation))
                throw new InvalidOperationException($"--taps: layer '{tap}' of {encoder.Name} produced no activation in its forward pass");
            saved.Add(NpyArrays.ToRaw(tap, activation));
        }
        return saved;
    }

    /// <summary>Taps must name the encoder's layers (not its blocks): one error naming the first unknown one and its nearest names.</summary>
    private static void CheckTaps(Encoder encoder, string[] tapNames)
    {
        var layers = encoder.Modules().Select(m => m.Module).Where(m => m.Children.Count == 0).Select(m => m.Name).ToList();
        var unknown = tapNames.FirstOrDefault(tap => !layers.Contains(tap, StringComparer.Ordinal));
        if (unknown is null) return;
        var nearest = layers.OrderBy(layer => EditDistance(layer, unknown)).ThenBy(layer => layer, StringComparer.Ordinal).Take(5);
        throw new ArgumentException($"--taps: '{unknown}' is not a layer of the {encoder.Name} encoder; nearest layer names: " +
            string.Join(", ", nearest) + $" ({layers.Count} layers)");
    }

    /// <summary>Levenshtein distance, to suggest the layer names closest to a mistyped tap.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
