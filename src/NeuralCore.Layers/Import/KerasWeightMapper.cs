using NeuralCore.Tensors;

namespace NeuralCore.Layers.Import;

/// <summary>
/// Loads pretrained weights into a <see cref="Module"/> the way Keras' <c>load_weights</c> does.
/// A model's Keras weighted layers are its modules, depth first in creation order, that own parameters or buffers;
/// a layer's Keras weight list is its parameters followed by its buffers (kernel, bias; gamma, beta, moving_mean,
/// moving_variance). File layers that have weights pair with them by name or by order (<see cref="MatchMode"/>),
/// every shape is checked in Keras' layout (<see cref="IKerasLayout"/>), and only when everything fits is anything
/// copied: on any problem one <see cref="WeightImportException"/> lists all of them and the model is untouched.
/// </summary>
public static class KerasWeightMapper
{
    /// <summary>Reads <paramref name="path"/> (.h5, .npz, .safetensors) and loads it into <paramref name="model"/>.</summary>
    /// <param name="allowPartial">The file may cover only some of the model's layers (a Keras no-top encoder file
    /// loaded into a full U-Net); the others keep their initialisation and are listed in the report.</param>
    public static WeightImportReport Load(Module model, string path, MatchMode mode = MatchMode.Auto, bool allowPartial = false) =>
        Load(model, WeightFile.Read(path), mode, allowPartial);

    public static WeightImportReport Load(Module model, WeightFileContents file, MatchMode mode = MatchMode.Auto, bool allowPartial = false)
    {
        if (Torch.TorchStateDictMapping.IsTorch(file)) file = Torch.TorchStateDictMapping.ToModelNames(model, file, allowPartial);
        if (file.KerasLayers is { } layers)
            return LoadLayers(model, layers, file.Path, keras3: file.Format == KerasWeightFile.FormatKeras3, mode, allowPartial);
        return LoadFlat(model, file.Tensors, file.Path, mode, allowPartial);
    }

    /// <summary>Loads a Keras file already read (a Keras 3 file pairs by class counters, a Keras 1/2 file by its layer order).</summary>
    public static WeightImportReport Load(Module model, KerasWeightFile file, string path, MatchMode mode = MatchMode.Auto, bool allowPartial = false) =>
        LoadLayers(model, file.Layers, path, keras3: file.Format == KerasWeightFile.FormatKeras3, mode, allowPartial);

    /// <summary>
    /// The model's weights in Keras' layout and order, one entry per weighted layer, weights named
    /// <c>&lt;layer&gt;/&lt;weight&gt;:0</c> as Keras 2 names them. Loading the result back is the identity.
    /// </summary>
    public static IReadOnlyList<KerasLayerWeights> Export(Module model) =>
        ModelLayer.Collect(model).Select(layer => new KerasLayerWeights(layer.Module.Name,
            layer.Weights.Select((w, i) => ExportWeight(layer, w.Name, w.Tensor, i)).ToList())).ToList();

    private static RawTensor ExportWeight(ModelLayer layer, string weightName, Tensor tensor, int index)
    {
        var values = tensor.ToArray<float>();
        var name = $"{layer.Module.Name}/{weightName}:0";
        if (layer.Layout is not { } layout)
            return RawTensor.FromFloat32(name, tensor.Shape.Select(d => (long)d).ToArray(), values);
        var kerasShape = layout.KerasShape(index);
        var converted = new float[kerasShape.ElementCount];
        layout.ToKeras(index, values, converted);
        return RawTensor.FromFloat32(name, kerasShape.Select(d => (long)d).ToArray(), converted);
    }

    private static WeightImportReport LoadLayers(Module model, IReadOnlyList<KerasLayerWeights> layers, string path,
        bool keras3, MatchMode mode, bool allowPartial)
    {
        var modelLayers = ModelLayer.Collect(model);
        var fileLayers = layers.Select(l => new FileLayer(l.LayerName, KerasLayerKey(l.LayerName), l.Weights)).ToList();
        var weighted = fileLayers.Where(l => l.Weights.Count > 0).ToList();
        var ignored = fileLayers.Where(l => l.Weights.Count == 0).Select(l => l.Name).ToList();
        var allNames = weighted.SelectMany(l => l.Weights.Select((_, i) => l.TensorName(i))).ToList();

        var byName = LayerPairing.ByName(modelLayers, weighted);
        var byNamePlan = byName.ToPlan(path, allNames, allowPartial);
        if (mode == MatchMode.ByName || (mode == MatchMode.Auto && byNamePlan.IsValid))
            return Finish(model, byNamePlan, byName, MatchRule.ByName, path, ignored);

        // Keras 3 names layers by class and counter, so its order comes from the counters, not from the listing.
        var (byOrder, orderRule) = keras3
            ? (LayerPairing.ByKeras3Order(modelLayers, weighted, allowPartial), MatchRule.ByKeras3Order)
            : (LayerPairing.ByOrder(modelLayers, weighted, allowPartial), MatchRule.ByOrder);
        var byOrderPlan = byOrder.ToPlan(path, allNames, allowPartial);
        // Auto and neither rule fits: report the rule the file is made for (Keras 3 names are class counters, so names
        // that happen to match say little), or, for Keras 2, by name when names matched at least one layer.
        if (mode == MatchMode.ByOrder || byOrderPlan.IsValid || keras3 || byName.Pairs.Count == 0)
            return Finish(model, byOrderPlan, byOrder, orderRule, path, ignored);
        return Finish(model, byNamePlan, byName, MatchRule.ByName, path, ignored);
    }

    /// <summary>
    /// A flat file (.npz, .safetensors): either our own full names (<c>model/encoder/conv/kernel</c>, with or without
    /// the root name; our layout) or Keras names <c>&lt;layer&gt;/&lt;weight&gt;</c> (Keras layout, grouped into layers by
    /// the model's layer names, so matched by name only): Keras 2 <c>w.name</c> (<c>block_1_expand/kernel:0</c>), Keras 3
    /// <c>w.path</c> (<c>block_1_expand/kernel</c>), or what <c>weights convert</c> writes. Keras 3 paths of conv and BN
    /// weights are also valid full names of ours, so the rule that explains the file is the one whose names cover it.
    /// </summary>
    private static WeightImportReport LoadFlat(Module model, IReadOnlyList<RawTensor> tensors, string path, MatchMode mode, bool allowPartial)
    {
        var modelLayers = ModelLayer.Collect(model);
        var allNames = tensors.Select(t => t.Name).ToList();
        var (fullNamePlan, fullNameMatches, skipped) = PlanByFullName(modelLayers, tensors, path, allowPartial);
        if (fullNameMatches == tensors.Count) return FinishByFullName(model, fullNamePlan, modelLayers, skipped, path);
        if (mode == MatchMode.ByOrder)
            throw new NotSupportedException($"{path}: a flat file carries no layer boundaries; by-order matching needs a Keras .h5 file");

        var byName = LayerPairing.ByName(modelLayers, GroupByModelLayerNames(tensors, modelLayers));
        var byNamePlan = byName.ToPlan(path, allNames, allowPartial);
        var byNameMatches = byName.Pairs.Sum(p => p.File.Weights.Count);
        if (byNamePlan.IsValid || byNameMatches >= fullNameMatches)
            return Finish(model, byNamePlan, byName, MatchRule.ByName, path, []);
        return FinishByFullName(model, fullNamePlan, modelLayers, skipped, path);
    }

    /// <summary>Pairs file tensors with model tensors of the same full name; returns how many file tensors found one.</summary>
    private static (WeightCopyPlan Plan, int Matches, List<string> Skipped) PlanByFullName(List<ModelLayer> modelLayers,
        IReadOnlyList<RawTensor> tensors, string path, bool allowPartial)
    {
        var byFullName = new Dictionary<string, (ModelLayer Layer, int Index)>(StringComparer.Ordinal);
        foreach (var layer in modelLayers)
            for (var i = 0; i < layer.Weights.Count; i++)
            {
                byFullName[layer.TensorName(i)] = (layer, i);
                byFullName[layer.RelativeTensorName(i)] = (layer, i);
            }
        var plan = new WeightCopyPlan(path, tensors.Select(t => t.Name));
        var loaded = new HashSet<(ModelLayer, int)>();
        var matches = 0;
        foreach (var tensor in tensors)
        {
            if (!byFullName.TryGetValue(tensor.Name, out var target)) { plan.Unexpected(tensor.Name, tensor); continue; }
            matches++;
            if (!loaded.Add(target)) { plan.Problem($"{target.Layer.TensorName(target.Index)} is given twice in the file"); continue; }
            plan.Assign(target.Layer.TensorName(target.Index), target.Layer.Weights[target.Index].Tensor, tensor.Name, tensor);
        }
        var skipped = new List<string>();
        foreach (var layer in modelLayers)
        {
            var untouched = Enumerable.Range(0, layer.Weights.Count).Where(i => !loaded.Contains((layer, i))).ToList();
            if (untouched.Count == 0) continue;
            if (allowPartial && untouched.Count == layer.Weights.Count)
            {
                skipped.Add(layer.Path);
                plan.Skipped(layer.Path);
                continue;
            }
            foreach (var i in untouched) plan.Missing(layer.TensorName(i), layer.Weights[i].Tensor);
        }
        return (plan, matches, skipped);
    }

    private static WeightImportReport FinishByFullName(Module model, WeightCopyPlan plan, List<ModelLayer> modelLayers, List<string> skipped, string path)
    {
        plan.ThrowIfInvalid(model.Name, WeightImportReport.RuleText(MatchRule.ByFullName));
        plan.Apply();
        return new WeightImportReport(path, MatchRule.ByFullName, plan.CopyCount, modelLayers.Count - skipped.Count, skipped, []);
    }

    private static WeightImportReport Finish(Module model, WeightCopyPlan plan, LayerPairing pairing, MatchRule rule, string path, List<string> ignored)
    {
        plan.ThrowIfInvalid(model.Name, WeightImportReport.RuleText(rule));
        plan.Apply();
        return new WeightImportReport(path, rule, plan.CopyCount, pairing.Pairs.Count,
            pairing.UnmatchedModel.Select(l => l.Path).ToList(), ignored);
    }

    /// <summary>
    /// The name a file layer is known by: Keras 2 layer names as they are; Keras 3 paths
    /// (<c>layers/functional/layers/dense</c>) by their last layer name.
    /// </summary>
    internal static string KerasLayerKey(string fileLayerName)
    {
        const string layersSegment = "layers/";
        var at = fileLayerName.LastIndexOf(layersSegment, StringComparison.Ordinal);
        while (at > 0 && fileLayerName[at - 1] != '/') at = fileLayerName.LastIndexOf(layersSegment, at - 1, StringComparison.Ordinal);
        return at >= 0 ? fileLayerName[(at + layersSegment.Length)..] : fileLayerName;
    }

    /// <summary>
    /// Groups <c>&lt;layer&gt;/&lt;weight&gt;</c> tensors by the longest model layer name they start with (else by the part before
    /// the last '/'), wherever they are in the file: a file may list all trainable weights before the BN statistics.
    /// </summary>
    private static List<FileLayer> GroupByModelLayerNames(IReadOnlyList<RawTensor> tensors, List<ModelLayer> modelLayers)
    {
        var keys = modelLayers.SelectMany(l => l.Keys).Distinct().OrderByDescending(k => k.Length).ToList();
        var groups = new Dictionary<string, List<RawTensor>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var tensor in tensors)
        {
            var key = keys.FirstOrDefault(k => tensor.Name.StartsWith(k + "/", StringComparison.Ordinal));
            var slash = tensor.Name.LastIndexOf('/');
            var layer = key ?? (slash > 0 ? tensor.Name[..slash] : "");
            var weight = tensor with { Name = tensor.Name[(layer.Length == 0 ? 0 : layer.Length + 1)..] };
            if (!groups.TryGetValue(layer, out var weights))
            {
                groups[layer] = weights = new List<RawTensor>();
                order.Add(layer);
            }
            weights.Add(weight);
        }
        return order.Select(layer => new FileLayer(layer, layer, groups[layer])).ToList();
    }
}
