using System.CommandLine;
using NeuralCore.Autograd;
using NeuralCore.Layers;
using NeuralCore.Layers.Import;
using NeuralCore.Tensors;

namespace PetSeg.Cli;

/// <summary>
/// <c>petseg grad</c>: the mean softmax cross-entropy of one batch and the gradient of every parameter, saved under
/// the Keras names the weight files use (<c>&lt;layer&gt;/&lt;weight&gt;:0</c>, Keras layout), to compare with
/// <c>tf.GradientTape</c>. Training mode (BN normalises with the batch's statistics) with dropout off, so the
/// result is deterministic and matches a Keras model called with dropout disabled.
/// </summary>
internal static class GradCommand
{
    public static Command Create(CliIO io)
    {
        var model = CommonOptions.Model();
        var weights = CommonOptions.Weights("Weights (.h5, .npz, .safetensors or PyTorch .pth; whole model or encoder only); " +
            $"without it the layers keep their seed-{ForwardCommand.InitSeed} initialisation");
        var input = CommonOptions.Path("--input", "Input batch [N, H, W, C] as .npy, fed as given (no preprocessing)", "x.npy", required: true);
        var labels = CommonOptions.Path("--labels", "Labels [N, H, W] as .npy (int32, int64 or uint8 class ids)", "y.npy", required: true);
        var output = CommonOptions.Path("--output", "loss (scalar) and one gradient per parameter, Keras-named (.npz)", "grads.npz", required: true);
        var classes = CommonOptions.Positive("--classes", "Number of output classes", 3);
        var command = new Command("grad", "Compute the loss and the gradients of one batch (training-mode BN, dropout off)")
        {
            model, weights, input, labels, output, classes,
        };
        command.SetAction(parse =>
        {
            int classCount = parse.GetValue(classes);
            var network = ForwardCommand.CreateModel(parse.GetValue(model)!, classCount, parse.GetValue(weights), encoderOnly: false, io);
            var images = NpyArrays.ReadImages(parse.GetValue(input)!);
            var targets = NpyArrays.ReadLabels(parse.GetValue(labels)!, [images.Shape[0], images.Shape[1], images.Shape[2]], classCount);
            string outputPath = parse.GetValue(output)!;
            var saved = LossAndGradients(network, images, targets);
            Npz.Write(outputPath, saved, compressed: false);
            io.Out.WriteLine($"{outputPath}: loss {saved[0].ToFloat32()[0]:R} and {saved.Count - 1} parameter gradients");
            return PetSegCli.ExitOk;
        });
        return command;
    }

    /// <summary>The scalar <c>loss</c> followed by the Keras-named gradients, in the model's layer order.</summary>
    public static List<RawTensor> LossAndGradients(SegmentationModel model, Tensor images, Tensor labels)
    {
        model.Train();
        foreach (var (_, module) in model.Modules())
            if (module is Dropout) module.Eval();
        model.ZeroGrad();
        using var scope = TensorScope.Begin();
        var loss = F.SoftmaxCrossEntropy(model.Forward(images), labels);
        loss.Backward();
        var saved = new List<RawTensor> { RawTensor.FromFloat32("loss", [], [loss.Item<float>()]) };
        saved.AddRange(KerasNamedGradients(model));
        model.ZeroGrad();
        return saved;
    }

    /// <summary>
    /// Each parameter's gradient named and laid out as <see cref="KerasWeightMapper.Export"/> writes the parameter:
    /// the layer's Keras name, the weight name with Keras 2's ":0", converted by the layer's <see cref="IKerasLayout"/>.
    /// A parameter the loss does not reach has a zero gradient.
    /// </summary>
    private static IEnumerable<RawTensor> KerasNamedGradients(Module model)
    {
        foreach (var (_, layer) in model.Modules())
            for (var i = 0; i < layer.OwnParameters.Count; i++)
            {
                var (weightName, parameter) = layer.OwnParameters[i];
                var name = $"{layer.Name}/{weightName}:0";
                var gradient = parameter.Grad?.ToArray<float>() ?? new float[parameter.ElementCount];
                if (layer is not IKerasLayout layout)
                {
                    yield return RawTensor.FromFloat32(name, parameter.Shape.Select(d => (long)d).ToArray(), gradient);
                    continue;
                }
                var kerasShape = layout.KerasShape(i);
                var converted = new float[kerasShape.ElementCount];
                layout.ToKeras(i, gradient, converted);
                yield return RawTensor.FromFloat32(name, kerasShape.Select(d => (long)d).ToArray(), converted);
            }
    }
}
