namespace NeuralCore.Layers.Import;

/// <summary>How file layers are paired with the model's weighted layers.</summary>
public enum MatchMode
{
    /// <summary>By name when the names agree, otherwise by order (what a Keras user expects to just work).</summary>
    Auto,

    /// <summary>Keras' <c>load_weights(by_name=True)</c>: a file layer loads into the model layer of the same name.</summary>
    ByName,

    /// <summary>Keras' default <c>load_weights</c>: the n-th weighted layer of the file loads into the n-th of the model.</summary>
    ByOrder,
}

/// <summary>The rule that actually paired the tensors.</summary>
public enum MatchRule
{
    /// <summary>Keras layer names (module name, or its path below the root or from the root).</summary>
    ByName,

    /// <summary>Weighted layers in file order against the model's depth-first module order.</summary>
    ByOrder,

    /// <summary>
    /// Keras 3 <c>.weights.h5</c>: the n-th model layer of a Keras class takes the file layer of that class with the n-th
    /// counter (<c>conv2d</c>, <c>conv2d_1</c>, ...), which is how Keras 3 itself pairs them.
    /// </summary>
    ByKeras3Order,

    /// <summary>A flat file whose tensor names are the model's full names (our own layout, no conversion).</summary>
    ByFullName,
}

/// <summary>What an import did.</summary>
/// <param name="Source">The file (or description) the weights came from.</param>
/// <param name="Rule">The pairing rule used.</param>
/// <param name="TensorsLoaded">Model tensors overwritten.</param>
/// <param name="LayersLoaded">Model layers that received weights.</param>
/// <param name="SkippedModelLayers">Model layers (full paths) the file did not cover; they keep their initialisation.</param>
/// <param name="IgnoredFileLayers">File layers without weights (input, activation, pooling layers).</param>
public sealed record WeightImportReport(
    string Source,
    MatchRule Rule,
    int TensorsLoaded,
    int LayersLoaded,
    IReadOnlyList<string> SkippedModelLayers,
    IReadOnlyList<string> IgnoredFileLayers)
{
    public override string ToString() =>
        $"{Source}: {TensorsLoaded} tensors into {LayersLoaded} layers {RuleText(Rule)}" +
        (SkippedModelLayers.Count > 0 ? $", {SkippedModelLayers.Count} model layers kept their initialisation" : "") +
        (IgnoredFileLayers.Count > 0 ? $", {IgnoredFileLayers.Count} weightless file layers ignored" : "");

    internal static string RuleText(MatchRule rule) => rule switch
    {
        MatchRule.ByName => "by layer name",
        MatchRule.ByOrder => "by layer order",
        MatchRule.ByKeras3Order => "by Keras 3 layer order (class counters)",
        _ => "by full tensor name",
    };
}

/// <summary>
/// Every problem found while matching a weight file against a model, reported at once. When this is thrown the
/// model has not been modified.
/// </summary>
public sealed class WeightImportException : Exception
{
    public WeightImportException(string message, string filePath, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected,
        IReadOnlyList<string> misshaped, IReadOnlyList<string> problems) : base(message)
    {
        FilePath = filePath;
        Missing = missing;
        Unexpected = unexpected;
        Misshaped = misshaped;
        Problems = problems;
    }

    /// <summary>The weight file (or checkpoint).</summary>
    public string FilePath { get; }

    /// <summary>Model tensors (full names) that the file does not provide.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>File tensors that no model tensor takes.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Model tensors (full names) whose file tensor has another shape or an unusable dtype.</summary>
    public IReadOnlyList<string> Misshaped { get; }

    /// <summary>Other problems: layer counts, weight counts per layer, ambiguous names.</summary>
    public IReadOnlyList<string> Problems { get; }
}
