using NeuralCore.Layers.Import;
using PureHDF;
using PureHDF.Filters;

namespace NeuralCore.Layers.Tests.Import;

/// <summary>
/// Writes a model's weights the way each Keras version and habit lays them out, at full size (the real encoder
/// shapes with whatever values the model holds), so that tests can load them back:
/// Keras 3 <c>save_weights("x.weights.h5")</c>, Keras 2 <c>save_weights("x.h5")</c> under h5py 3, and the flat
/// <c>np.savez(f, **{name: w.numpy() for w in model.weights})</c> with Keras 3 <c>w.path</c> or Keras 2 <c>w.name</c>.
/// HDF5 files are written with PureHDF; the fixtures made by h5py (make_weight_fixtures.py) cover h5py's own encoding.
/// </summary>
internal static class KerasLayouts
{
    /// <summary>
    /// Keras 3: <c>layers/&lt;class&gt;[_n]/vars/&lt;i&gt;</c> for every layer of <c>model.layers</c> (an input layer first, weightless
    /// layers with an empty vars group), <c>n</c> counting earlier layers of the same class; an empty <c>vars</c> for the
    /// model itself. Groups are added in ordinal name order, as HDF5 lists them (<c>conv2d_10</c> before <c>conv2d_2</c>).
    /// </summary>
    public static void WriteKeras3WeightsH5(Module model, string path)
    {
        var layers = new SortedDictionary<string, H5Group>(StringComparer.Ordinal);
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        var exported = new Queue<KerasLayerWeights>(KerasWeightMapper.Export(model));
        foreach (var (kerasClass, module) in Keras3Classes(model))
        {
            var counter = counters.GetValueOrDefault(kerasClass);
            counters[kerasClass] = counter + 1;
            var vars = new H5Group();
            if (module is not null && module.OwnParameters.Count + module.OwnBuffers.Count > 0)
            {
                var weights = exported.Dequeue();
                Assert.Equal(module.Name, weights.LayerName);
                for (var i = 0; i < weights.Weights.Count; i++) vars[i.ToString()] = Dataset(weights.Weights[i]);
            }
            layers[counter == 0 ? kerasClass : $"{kerasClass}_{counter}"] = new H5Group { ["vars"] = vars };
        }
        Assert.Empty(exported);
        var layersGroup = new H5Group();
        foreach (var (name, group) in layers) layersGroup[name] = group;
        new H5File { ["layers"] = layersGroup, ["vars"] = new H5Group() }.Write(path);
    }

    /// <summary>
    /// Keras 2 <c>save_weights</c> under h5py 3: <c>layer_names</c> and <c>weight_names</c> as variable-length strings
    /// (an empty float64 array for a weightless layer), each weight at its name below its layer's group, every '/'
    /// of a name (DenseNet's <c>conv1/conv</c>) a nested group. PureHDF writes superblock v3 with v2 object headers
    /// (what h5py calls libver='latest'); with <paramref name="gzip"/> every weight is chunked (about half of each
    /// dimension, so most chunks are partial edge chunks) and deflated.
    /// </summary>
    public static void WriteKeras2H5(Module model, string path, bool gzip = false)
    {
        var root = new H5File();
        var exported = KerasWeightMapper.Export(model).ToDictionary(l => l.LayerName);
        var layerNames = Keras3Classes(model).Select(c => c.Module?.Name ?? "input_1").ToArray();
        root.Attributes["layer_names"] = layerNames;
        root.Attributes["backend"] = "tensorflow";
        root.Attributes["keras_version"] = "2.9.0";
        foreach (var layerName in layerNames)
        {
            var group = GroupAt(root, layerName);
            var weights = exported.GetValueOrDefault(layerName)?.Weights ?? [];
            group.Attributes["weight_names"] = weights.Count == 0 ? Array.Empty<double>() : weights.Select(w => w.Name).ToArray();
            foreach (var weight in weights)
            {
                var slash = weight.Name.LastIndexOf('/');
                GroupAt(group, weight.Name[..slash])[weight.Name[(slash + 1)..]] = Dataset(weight, gzip);
            }
        }
        root.Write(path, gzip ? new H5WriteOptions(Filters: [new H5Filter(Id: Deflate)]) : new H5WriteOptions());
    }

    /// <summary>
    /// Keras 3 <c>w.path</c> of every weight in <c>model.weights</c> order: <c>&lt;layer&gt;/&lt;variable&gt;</c>, where layer names
    /// cannot hold '/' (Keras 3's DenseNet says <c>conv1_conv</c>) and the depthwise kernel is just <c>kernel</c>.
    /// </summary>
    public static List<RawTensor> Keras3Paths(Module model) =>
        KerasWeightMapper.Export(model).SelectMany(layer => layer.Weights.Select(w =>
        {
            var variable = w.Name[(w.Name.LastIndexOf('/') + 1)..^":0".Length];
            return w with { Name = layer.LayerName.Replace('/', '_') + "/" + (variable == "depthwise_kernel" ? "kernel" : variable) };
        })).ToList();

    /// <summary>Keras 2 <c>w.name</c> of every weight in <c>model.weights</c> order: <c>&lt;layer&gt;/&lt;variable&gt;:0</c>.</summary>
    public static List<RawTensor> Keras2Names(Module model) => KerasWeightMapper.Export(model).SelectMany(l => l.Weights).ToList();

    /// <summary>The Keras class of each layer of <c>model.layers</c>: the input layer (no module), then each leaf module.</summary>
    private static IEnumerable<(string Class, Module? Module)> Keras3Classes(Module model)
    {
        yield return ("input_layer", null);
        foreach (var (_, module) in model.Modules())
        {
            if (module.Children.Count > 0) continue;
            yield return (module switch
            {
                Conv2d => "conv2d",
                DepthwiseConv2d => "depthwise_conv2d",
                ConvTranspose2d => "conv2d_transpose",
                BatchNorm2d => "batch_normalization",
                ReLU6 => "re_lu", // keras.applications MobileNetV2: layers.ReLU(6.0)
                ReLU => "activation", // DenseNet: layers.Activation("relu")
                ZeroPadding2d => "zero_padding2d",
                Add => "add",
                Concatenate => "concatenate",
                MaxPool2d => "max_pooling2d",
                AvgPool2d => "average_pooling2d",
                _ => throw new NotSupportedException($"no Keras class known for {module.GetType().Name} '{module.Name}'"),
            }, module);
        }
    }

    /// <summary>HDF5's id of the deflate (gzip) filter.</summary>
    private const ushort Deflate = 1;

    private static H5Dataset Dataset(RawTensor tensor, bool chunked = false) =>
        new(tensor.ToFloat32(), fileDims: tensor.Shape.Select(d => (ulong)d).ToArray(),
            chunks: chunked ? tensor.Shape.Select(d => (uint)Math.Max(1, (d + 1) / 2)).ToArray() : null);

    /// <summary>The group at a '/'-separated path below <paramref name="parent"/>, created as needed.</summary>
    private static H5Group GroupAt(H5Group parent, string path)
    {
        foreach (var part in path.Split('/'))
        {
            if (!parent.TryGetValue(part, out var child)) parent[part] = child = new H5Group();
            parent = (H5Group)child;
        }
        return parent;
    }
}
