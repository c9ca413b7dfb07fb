namespace NeuralCore.Layers.Import.Torch;

/// <summary>
/// Turns a PyTorch state dict into our model's full tensor names and layouts, so that the all-or-nothing, shape-
/// checked loader (<see cref="KerasWeightMapper"/>, by full tensor name) can take it. A PyTorch module
/// (<c>encoder.block_1_expand</c>: the keys before the last '.') pairs with our weighted layer of the same path
/// below the root (<c>encoder/block_1_expand</c>), the same full path, or the same Keras layer name. When some module
/// matches no name and the counts fit, the n-th PyTorch module pairs with our n-th weighted layer instead (creation
/// order, which is PyTorch's registration order in a twin of the model: torchvision's MobileNetV2 and VGG16 list
/// their layers in Keras' order). Weights convert by our layer's type with
/// <see cref="TorchLayouts"/>; BatchNorm's <c>num_batches_tracked</c> counter has no counterpart and is dropped.
/// Tensors that pair with nothing keep their PyTorch name, so the loader lists them as unexpected.
/// </summary>
public static class TorchStateDictMapping
{
    public const string NumBatchesTracked = "num_batches_tracked";

    /// <summary>True for the contents of a .pth/.pt file (<see cref="TorchCheckpoint"/>).</summary>
    public static bool IsTorch(WeightFileContents file) => file.Format is TorchCheckpoint.FormatZip or TorchCheckpoint.FormatLegacy;

    /// <param name="allowPartial">The file may cover only the first layers of the model (pairing by order).</param>
    public static WeightFileContents ToModelNames(Module model, WeightFileContents file, bool allowPartial)
    {
        var layers = model.Modules()
            .Where(m => m.Module.OwnParameters.Count + m.Module.OwnBuffers.Count > 0)
            .Select(m => new Layer(m.Path, m.Module))
            .ToList();
        var modules = file.Tensors
            .Where(t => LocalName(t.Name) != NumBatchesTracked)
            .GroupBy(t => ModulePath(t.Name))
            .Select(g => (Path: g.Key, Tensors: g.ToList()))
            .ToList();

        var byName = LayerKeys(layers);
        var named = modules.Select(m => byName.GetValueOrDefault(m.Path.Replace('.', '/'))).ToList();
        var pairByOrder = named.Any(l => l is null) && (modules.Count == layers.Count || (allowPartial && modules.Count < layers.Count));
        var converted = new List<RawTensor>();
        for (var i = 0; i < modules.Count; i++)
        {
            var layer = pairByOrder ? layers[i] : named[i];
            try
            {
                converted.AddRange(layer is { } target
                    ? modules[i].Tensors.Select(t => Convert(t, target.Path, target.Module))
                    : modules[i].Tensors);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{file.Path}: module '{modules[i].Path}' paired with layer '{layer?.Path}': {e.Message}", e);
            }
        }
        return file with { Tensors = converted };
    }

    /// <summary>Our name and layout for PyTorch tensor <paramref name="tensor"/> of the module paired with <paramref name="layer"/>.</summary>
    public static RawTensor Convert(RawTensor tensor, string layerPath, Module layer)
    {
        var local = LocalName(tensor.Name);
        var (name, value) = (layer, local) switch
        {
            (Conv2d, "weight") => ("kernel", TorchLayouts.ConvWeight(tensor)),
            (DepthwiseConv2d, "weight") => ("depthwise_kernel", TorchLayouts.DepthwiseWeight(tensor)),
            (ConvTranspose2d, "weight") => ("kernel", TorchLayouts.ConvTransposeWeight(tensor)),
            (BatchNorm2d, "weight") => ("gamma", tensor),
            (BatchNorm2d, "bias") => ("beta", tensor),
            (BatchNorm2d, "running_mean") => ("moving_mean", tensor),
            (BatchNorm2d, "running_var") => ("moving_variance", tensor),
            (_, "bias") => ("bias", tensor),
            _ => (local, tensor),
        };
        return value with { Name = layerPath + "/" + name };
    }

    /// <summary>Keys a PyTorch module path may use for a layer; a key shared by two layers is left out as ambiguous.</summary>
    private sealed record Layer(string Path, Module Module);

    private static Dictionary<string, Layer> LayerKeys(List<Layer> layers)
    {
        var keys = layers
            .SelectMany(l => new[] { l.Path, BelowRoot(l.Path), l.Module.Name }.Distinct().Select(k => (Key: k, Layer: l)))
            .GroupBy(k => k.Key)
            .Where(g => g.Count() == 1);
        return keys.ToDictionary(g => g.Key, g => g.Single().Layer);
    }

    private static string BelowRoot(string path) => path.IndexOf('/') is var slash and >= 0 ? path[(slash + 1)..] : path;

    private static string ModulePath(string tensorName) => tensorName.LastIndexOf('.') is var dot and >= 0 ? tensorName[..dot] : "";

    private static string LocalName(string tensorName) => tensorName[(tensorName.LastIndexOf('.') + 1)..];
}
