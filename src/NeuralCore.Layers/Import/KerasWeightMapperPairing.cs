using NeuralCore.Tensors;

namespace NeuralCore.Layers.Import;

/// <summary>A module that owns weights, with the names a weight file may know it by.</summary>
internal sealed class ModelLayer
{
    private ModelLayer(string path, Module module)
    {
        Path = path;
        Module = module;
        var slash = path.IndexOf('/');
        RelativePath = slash < 0 ? path : path[(slash + 1)..];
        Weights = module.OwnParameters.Concat(module.OwnBuffers).ToList();
    }

    /// <summary>Full path from the root, e.g. <c>unet/encoder/block_1_expand</c>.</summary>
    public string Path { get; }

    /// <summary>Path below the root, e.g. <c>encoder/block_1_expand</c> (DenseNet's <c>conv1/conv</c> lives here).</summary>
    public string RelativePath { get; }

    public Module Module { get; }

    /// <summary>Keras' weight order: parameters, then buffers.</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> Weights { get; }

    public IKerasLayout? Layout => Module as IKerasLayout;

    /// <summary>
    /// Names a file layer may use for this layer: the Keras layer name, the path below the root, the full path, and
    /// the name with '/' replaced by '_' (Keras 3 forbids '/' in names: Keras 2's DenseNet <c>conv1/conv</c> is <c>conv1_conv</c> there).
    /// </summary>
    public IEnumerable<string> Keys => new[] { Module.Name, RelativePath, Path, Module.Name.Replace('/', '_') }.Distinct();

    public string TensorName(int index) => Path + "/" + Weights[index].Name;

    public string RelativeTensorName(int index) => RelativePath + "/" + Weights[index].Name;

    /// <summary>The model's weighted layers, depth first in creation order (Keras' layer order).</summary>
    public static List<ModelLayer> Collect(Module model) =>
        model.Modules()
            .Where(m => m.Module.OwnParameters.Count + m.Module.OwnBuffers.Count > 0)
            .Select(m => new ModelLayer(m.Path, m.Module))
            .ToList();
}

/// <summary>A layer of a weight file: its name, the key it matches model layers by, its weights in file order.</summary>
internal sealed record FileLayer(string Name, string Key, IReadOnlyList<RawTensor> Weights)
{
    public string TensorName(int index) => Name.Length == 0 ? Weights[index].Name : Name + "/" + Weights[index].Name;

    /// <summary>
    /// This layer with its weights in <paramref name="model"/>'s order: by name when each weight names a different one of the
    /// model's (Keras 2 <c>block_1_expand/kernel:0</c>, Keras 3 paths <c>block_1_expand/kernel</c>, where the depthwise kernel
    /// is just <c>kernel</c>), so that a file listing trainable weights before the others still loads; otherwise in file
    /// order (Keras 3 <c>vars/0..n</c>, Keras 1 <c>block1_conv1_W_1:0</c>).
    /// </summary>
    public FileLayer InModelOrder(ModelLayer model)
    {
        var slots = new RawTensor?[model.Weights.Count];
        foreach (var weight in Weights)
        {
            var name = BareWeightName(weight.Name);
            var slot = IndexOf(model, name) ?? IndexOf(model, "depthwise_" + name);
            if (slot is not { } index || slots[index] is not null) return this;
            slots[index] = weight;
        }
        return slots.Any(s => s is null) ? this : this with { Weights = slots.Select(s => s!).ToList() };
    }

    /// <summary><c>conv1/conv/kernel:0</c> -> <c>kernel</c>.</summary>
    private static string BareWeightName(string name)
    {
        var bare = name[(name.LastIndexOf('/') + 1)..];
        var colon = bare.LastIndexOf(':');
        return colon > 0 && bare[(colon + 1)..].All(char.IsAsciiDigit) ? bare[..colon] : bare;
    }

    private static int? IndexOf(ModelLayer model, string weightName)
    {
        for (var i = 0; i < model.Weights.Count; i++)
            if (model.Weights[i].Name == weightName) return i;
        return null;
    }
}

/// <summary>Which file layer goes into which model layer, and what could not be paired.</summary>
internal sealed class LayerPairing
{
    public List<(ModelLayer Model, FileLayer File)> Pairs { get; } = new();

    public List<FileLayer> UnmatchedFile { get; } = new();

    public List<ModelLayer> UnmatchedModel { get; } = new();

    public List<string> Problems { get; } = new();

    /// <summary>Keras' by_name rule: each file layer goes to the one model layer with its name.</summary>
    public static LayerPairing ByName(List<ModelLayer> modelLayers, List<FileLayer> fileLayers)
    {
        var pairing = new LayerPairing();
        var index = new Dictionary<string, List<ModelLayer>>(StringComparer.Ordinal);
        foreach (var layer in modelLayers)
            foreach (var key in layer.Keys)
            {
                if (!index.TryGetValue(key, out var list)) index[key] = list = new List<ModelLayer>();
                list.Add(layer);
            }
        var taken = new Dictionary<ModelLayer, FileLayer>();
        foreach (var fileLayer in fileLayers)
        {
            if (!index.TryGetValue(fileLayer.Key, out var candidates))
            {
                pairing.UnmatchedFile.Add(fileLayer);
                continue;
            }
            if (candidates.Count > 1)
            {
                pairing.Problems.Add($"file layer '{fileLayer.Name}' matches {candidates.Count} model layers " +
                    $"({string.Join(", ", candidates.Select(c => c.Path))}); Keras layer names must be unique");
                continue;
            }
            var modelLayer = candidates[0];
            if (taken.TryGetValue(modelLayer, out var earlier))
            {
                pairing.Problems.Add($"model layer {modelLayer.Path} is matched by file layers '{earlier.Name}' and '{fileLayer.Name}'");
                continue;
            }
            taken[modelLayer] = fileLayer;
            pairing.Pairs.Add((modelLayer, fileLayer));
        }
        pairing.UnmatchedModel.AddRange(modelLayers.Where(l => !taken.ContainsKey(l)));
        return pairing;
    }

    /// <summary>
    /// Keras' default rule: the n-th weighted file layer goes to the n-th weighted model layer. With
    /// <paramref name="allowPartial"/> a shorter file fills the first layers (the encoder, built first).
    /// </summary>
    public static LayerPairing ByOrder(List<ModelLayer> modelLayers, List<FileLayer> fileLayers, bool allowPartial)
    {
        var pairing = new LayerPairing();
        var common = Math.Min(modelLayers.Count, fileLayers.Count);
        for (var i = 0; i < common; i++) pairing.Pairs.Add((modelLayers[i], fileLayers[i]));
        pairing.UnmatchedFile.AddRange(fileLayers.Skip(common));
        pairing.UnmatchedModel.AddRange(modelLayers.Skip(common));
        if (fileLayers.Count > modelLayers.Count || (fileLayers.Count < modelLayers.Count && !allowPartial))
            pairing.Problems.Add($"the file has {fileLayers.Count} layers with weights, the model {modelLayers.Count}");
        return pairing;
    }

    /// <summary>
    /// Keras 3's rule (<see cref="Keras3Names"/>): the n-th model layer of a Keras class takes the file layer of that
    /// class with the n-th smallest counter. Layers of nested models cannot be placed and are reported. With
    /// <paramref name="allowPartial"/> the file may cover only the model's first layers, as with <see cref="ByOrder"/>.
    /// </summary>
    public static LayerPairing ByKeras3Order(List<ModelLayer> modelLayers, List<FileLayer> fileLayers, bool allowPartial)
    {
        var pairing = new LayerPairing();
        var byClass = new Dictionary<string, List<(int Counter, FileLayer Layer)>>(StringComparer.Ordinal);
        foreach (var fileLayer in fileLayers)
        {
            if (Keras3Names.TopLevelGroup(fileLayer.Name) is not { } group)
            {
                pairing.UnmatchedFile.Add(fileLayer);
                pairing.Problems.Add($"file layer '{fileLayer.Name}' belongs to a nested model, whose place among the outer layers " +
                    "a Keras 3 file does not record; only loading by layer name can use it");
                continue;
            }
            var (kerasClass, counter) = Keras3Names.Parse(group);
            if (!byClass.TryGetValue(kerasClass, out var list)) byClass[kerasClass] = list = new();
            list.Add((counter, fileLayer));
        }
        var queues = new Dictionary<string, Queue<FileLayer>>(StringComparer.Ordinal);
        foreach (var (kerasClass, list) in byClass)
        {
            var sorted = list.OrderBy(l => l.Counter).ToList();
            for (var i = 1; i < sorted.Count; i++)
                if (sorted[i].Counter == sorted[i - 1].Counter)
                    pairing.Problems.Add($"file layers '{sorted[i - 1].Layer.Name}' and '{sorted[i].Layer.Name}' have the same {kerasClass} counter");
            queues[kerasClass] = new Queue<FileLayer>(sorted.Select(l => l.Layer));
        }
        var modelCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var modelLayer in modelLayers)
        {
            var kerasClass = Keras3Names.ClassOf(modelLayer.Module);
            if (kerasClass is null)
            {
                pairing.Problems.Add($"model layer {modelLayer.Path} ({modelLayer.Module.GetType().Name}) has no Keras class to find it by in a Keras 3 file");
                pairing.UnmatchedModel.Add(modelLayer);
                continue;
            }
            modelCounts[kerasClass] = modelCounts.GetValueOrDefault(kerasClass) + 1;
            if (queues.TryGetValue(kerasClass, out var queue) && queue.TryDequeue(out var fileLayer)) pairing.Pairs.Add((modelLayer, fileLayer));
            else pairing.UnmatchedModel.Add(modelLayer);
        }
        foreach (var kerasClass in modelCounts.Keys.Union(byClass.Keys).Order(StringComparer.Ordinal))
        {
            int inFile = byClass.GetValueOrDefault(kerasClass)?.Count ?? 0, inModel = modelCounts.GetValueOrDefault(kerasClass);
            if (inFile > inModel || (inFile < inModel && !allowPartial))
                pairing.Problems.Add($"the file has {inFile} {kerasClass} layers with weights, the model {inModel}");
        }
        foreach (var queue in queues.Values) pairing.UnmatchedFile.AddRange(queue);
        if (allowPartial) pairing.CheckCoversAPrefix(modelLayers);
        return pairing;
    }

    /// <summary>A partial file must fill the model's first layers (an encoder file in a whole model), not skip some in between.</summary>
    private void CheckCoversAPrefix(List<ModelLayer> modelLayers)
    {
        var paired = Pairs.Select(p => p.Model).ToHashSet();
        var firstSkipped = modelLayers.FindIndex(l => !paired.Contains(l));
        var lastPaired = modelLayers.FindLastIndex(paired.Contains);
        if (firstSkipped >= 0 && firstSkipped < lastPaired)
            Problems.Add($"the file gives no weights to model layer {modelLayers[firstSkipped].Path} but does to the later " +
                $"{modelLayers[lastPaired].Path}; a partial file must cover the model's first layers");
    }

    /// <summary>Checks every paired tensor; unmatched file tensors are unexpected, unmatched model tensors missing.</summary>
    public WeightCopyPlan ToPlan(string path, IEnumerable<string> allSourceNames, bool allowPartial)
    {
        var plan = new WeightCopyPlan(path, allSourceNames);
        foreach (var problem in Problems) plan.Problem(problem);
        foreach (var (modelLayer, fileLayer) in Pairs)
        {
            if (modelLayer.Weights.Count != fileLayer.Weights.Count)
            {
                plan.Problem($"layer {modelLayer.Path} has {modelLayer.Weights.Count} weights " +
                    $"({string.Join(", ", modelLayer.Weights.Select(w => w.Name))}), file layer '{fileLayer.Name}' has " +
                    $"{fileLayer.Weights.Count} ({string.Join(", ", fileLayer.Weights.Select(w => w.Name))})");
                continue;
            }
            var aligned = fileLayer.InModelOrder(modelLayer);
            for (var i = 0; i < modelLayer.Weights.Count; i++)
                plan.Assign(modelLayer.TensorName(i), modelLayer.Weights[i].Tensor, aligned.TensorName(i), aligned.Weights[i], i, modelLayer.Layout);
        }
        foreach (var fileLayer in UnmatchedFile)
            for (var i = 0; i < fileLayer.Weights.Count; i++) plan.Unexpected(fileLayer.TensorName(i), fileLayer.Weights[i]);
        foreach (var modelLayer in UnmatchedModel)
        {
            if (allowPartial) plan.Skipped(modelLayer.Path);
            else
                for (var i = 0; i < modelLayer.Weights.Count; i++) plan.Missing(modelLayer.TensorName(i), modelLayer.Weights[i].Tensor);
        }
        return plan;
    }
}
