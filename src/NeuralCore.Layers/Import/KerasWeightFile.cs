using PureHDF;

namespace NeuralCore.Layers.Import;

/// <summary>The weights of one Keras layer, in the order Keras lists them (weight_names / vars index).</summary>
public sealed record KerasLayerWeights(string LayerName, IReadOnlyList<RawTensor> Weights);

/// <summary>
/// A Keras weight file read the way Keras itself reads it (HDF5 through PureHDF, see <see cref="Hdf5Read"/>).
/// Keras 1/2 (<c>save_weights</c> or full-model <c>save</c>): the root (or its <c>model_weights</c> group) lists
/// <c>layer_names</c>; each layer group lists <c>weight_names</c>, and every dataset is found through those names
/// relative to the layer group (names contain '/', which are nested groups). Keras 3 <c>.weights.h5</c>:
/// <c>layers/&lt;name&gt;/vars/0..n</c> for every layer, weightless ones too, nested <c>layers/&lt;model&gt;/layers/...</c>
/// for sub-models; <c>&lt;name&gt;</c> is the snake_case class name with a per-class counter (see <see cref="Keras3Names"/>),
/// and the layers are listed in ordinal name order here because the file does not keep the model's order.
/// </summary>
public sealed record KerasWeightFile(IReadOnlyList<KerasLayerWeights> Layers, string Format)
{
    public const string FormatKeras2 = "keras2-hdf5";
    public const string FormatKeras2FullModel = "keras2-hdf5-model_weights";
    public const string FormatKeras3 = "keras3-weights.h5";

    /// <summary>All weights of all layers in order.</summary>
    public IEnumerable<RawTensor> AllWeights => Layers.SelectMany(l => l.Weights);

    public static KerasWeightFile Load(string path)
    {
        using var file = Hdf5Read.Open(path);
        if (HasChunkedAttribute(path, file, "layer_names")) return new(ReadKeras2(path, file, ""), FormatKeras2);
        if (Hdf5Read.TryGroup(path, file, "model_weights") is { } modelWeights && HasChunkedAttribute(path, modelWeights, "layer_names"))
            return new(ReadKeras2(path, modelWeights, "model_weights/"), FormatKeras2FullModel);
        if (Hdf5Read.TryGroup(path, file, "layers") is { } layers)
            return new(ReadKeras3(path, layers, "layers"), FormatKeras3);
        if (Hdf5Read.TryGroup(path, file, "_layer_checkpoint_dependencies") is { } legacyLayers)
            return new(ReadKeras3(path, legacyLayers, "_layer_checkpoint_dependencies"), FormatKeras3);
        throw new InvalidDataException(
            $"{path}: not a Keras weight file: no 'layer_names' attribute on the root or on 'model_weights', and no 'layers' group " +
            $"(root has [{string.Join(", ", Hdf5Read.Children(path, file).Select(c => c.Name))}])");
    }

    // Keras 2 load_weights_from_hdf5_group: layer_names in order, weights resolved through weight_names.
    private static List<KerasLayerWeights> ReadKeras2(string path, IH5Group weightsRoot, string rootPath)
    {
        var layers = new List<KerasLayerWeights>();
        foreach (var layerName in ReadStringList(path, weightsRoot, "layer_names"))
        {
            var layerGroup = Hdf5Read.TryGroup(path, weightsRoot, layerName)
                ?? throw new InvalidDataException($"{path}: layer '{layerName}' is listed in layer_names but {rootPath}{layerName} is not a group");
            var weightNames = HasChunkedAttribute(path, layerGroup, "weight_names") ? ReadStringList(path, layerGroup, "weight_names") : [];
            var weights = weightNames
                .Select(weightName => Hdf5Read.ReadTensor(path, Hdf5Read.Dataset(path, layerGroup, weightName), weightName))
                .ToList();
            layers.Add(new KerasLayerWeights(layerName, weights));
        }
        return layers;
    }

    // Keras 3: every group under layers/ that has vars/ is a layer; a sub-model's own layers/ is walked after it.
    private static List<KerasLayerWeights> ReadKeras3(string path, IH5Group layersGroup, string groupPath)
    {
        var layers = new List<KerasLayerWeights>();
        foreach (var child in Hdf5Read.Children(path, layersGroup).OfType<IH5Group>())
        {
            var childPath = groupPath + "/" + child.Name;
            var nested = Hdf5Read.TryGroup(path, child, "layers");
            if (Hdf5Read.TryGroup(path, child, "vars") is { } vars)
            {
                var weights = Hdf5Read.Children(path, vars).OfType<IH5Dataset>()
                    .OrderBy(d => int.TryParse(d.Name, out var i) ? i : int.MaxValue)
                    .ThenBy(d => d.Name, StringComparer.Ordinal)
                    .Select(d => Hdf5Read.ReadTensor(path, d, "vars/" + d.Name))
                    .ToList();
                if (weights.Count > 0 || nested is null) layers.Add(new KerasLayerWeights(childPath, weights));
            }
            if (nested is not null) layers.AddRange(ReadKeras3(path, nested, childPath + "/layers"));
        }
        return layers;
    }

    /// <summary>
    /// Keras splits attributes above the 64 KB header limit into name0, name1, ...; an empty list is stored as an
    /// empty float64 array.
    /// </summary>
    private static List<string> ReadStringList(string path, IH5Group group, string name)
    {
        var parts = Hdf5Read.TryAttribute(path, group, name) is { } whole
            ? [whole]
            : Enumerable.Range(0, int.MaxValue).Select(i => Hdf5Read.TryAttribute(path, group, $"{name}{i}")).TakeWhile(a => a is not null).Select(a => a!).ToList();
        var values = new List<string>();
        foreach (var attribute in parts)
        {
            if (Hdf5Read.TryStrings(path, attribute) is { } strings) values.AddRange(strings);
            else if (Hdf5Read.ElementCount(attribute) != 0)
                throw new InvalidDataException($"{path}: attribute '{attribute.Name}' of group '{group.Name}' holds " +
                    $"{Hdf5Read.ElementCount(attribute)} numbers, expected strings");
        }
        return values;
    }

    private static bool HasChunkedAttribute(string path, IH5Group group, string name) =>
        Hdf5Read.TryAttribute(path, group, name) is not null || Hdf5Read.TryAttribute(path, group, name + "0") is not null;
}
