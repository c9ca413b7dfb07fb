using System.Runtime.InteropServices;
using System.Text;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Import;

/// <summary>
/// All-or-nothing loading: every pairing of a file tensor with a model tensor is checked and recorded first
/// (shape, dtype, layout); only when nothing is wrong does <see cref="Apply"/> copy, so an error leaves the model
/// untouched. Problems accumulate so that one exception lists all of them. Shared by weight import and checkpoints.
/// </summary>
internal sealed class WeightCopyPlan
{
    private readonly string _filePath;
    private readonly IReadOnlyList<string> _allSourceNames;
    private readonly HashSet<string> _usedSources = new(StringComparer.Ordinal);
    private readonly List<Copy> _copies = new();
    private readonly List<(string Name, string Shape)> _missing = new();
    private readonly List<(string Name, string Shape)> _unexpected = new();
    private readonly List<(string Name, string Line)> _misshaped = new();
    private readonly List<string> _problems = new();
    private readonly List<string> _skipped = new();

    /// <summary>How many skipped layers an error names (an encoder-only file leaves a whole decoder).</summary>
    private const int SkippedListed = 8;

    /// <param name="filePath">Named in every message.</param>
    /// <param name="allSourceNames">Every tensor name in the file, for closest-name suggestions.</param>
    public WeightCopyPlan(string filePath, IEnumerable<string> allSourceNames)
    {
        _filePath = filePath;
        _allSourceNames = allSourceNames.ToList();
    }

    private sealed record Copy(Tensor Target, RawTensor Source, int WeightIndex, IKerasLayout? Layout);

    public bool IsValid => _missing.Count == 0 && _unexpected.Count == 0 && _misshaped.Count == 0 && _problems.Count == 0;

    /// <summary>Number of model tensors that will be written.</summary>
    public int CopyCount => _copies.Count;

    /// <summary>
    /// Plans copying <paramref name="source"/> into <paramref name="target"/>. With a <paramref name="layout"/> the
    /// file holds Keras' layout of weight <paramref name="weightIndex"/>; without one it must have the target's shape.
    /// </summary>
    public void Assign(string targetName, Tensor target, string sourceName, RawTensor source, int weightIndex = 0, IKerasLayout? layout = null)
    {
        _usedSources.Add(sourceName);
        var expected = layout?.KerasShape(weightIndex) ?? target.Shape;
        var layoutNote = layout is null ? "" : " (Keras layout)";
        if (!SameShape(expected, source.Shape))
        {
            _misshaped.Add((targetName, $"{targetName}: model expects {expected}{layoutNote}, file '{sourceName}' has {source.ShapeText}"));
            return;
        }
        if (TargetProblem(target, source, layout) is { } problem)
        {
            _misshaped.Add((targetName, $"{targetName}: {problem} (file '{sourceName}' {source.DType} {source.ShapeText})"));
            return;
        }
        if (layout is not null && expected.ElementCount != target.ElementCount)
        {
            _problems.Add($"{targetName}: layer layout maps {target.Shape} to Keras {expected}, which has a different element count");
            return;
        }
        _copies.Add(new Copy(target, source, weightIndex, layout));
    }

    public void Missing(string targetName, Tensor target) => _missing.Add((targetName, target.Shape.ToString()));

    public void Unexpected(string sourceName, RawTensor source) => _unexpected.Add((sourceName, source.ShapeText));

    public void Problem(string text) => _problems.Add(text);

    /// <summary>A model layer a partial file does not cover: fine, but named when something else fails so the counts add up.</summary>
    public void Skipped(string layerPath) => _skipped.Add(layerPath);

    /// <summary>Throws one <see cref="WeightImportException"/> listing everything wrong, if anything is.</summary>
    public void ThrowIfInvalid(string modelName, string ruleText)
    {
        if (IsValid) return;
        throw CreateException(modelName, ruleText);
    }

    public WeightImportException CreateException(string modelName, string ruleText)
    {
        var text = new StringBuilder();
        text.Append($"{_filePath}: cannot load into model '{modelName}' {ruleText}: ")
            .Append($"{_missing.Count} missing, {_unexpected.Count} unexpected, {_misshaped.Count} mis-shaped tensors");
        if (_problems.Count > 0) text.Append($", {_problems.Count} other problems");
        if (_skipped.Count > 0) text.Append($"; {_skipped.Count} model layers get nothing from the file (partial load)");
        var unusedSources = _allSourceNames.Where(n => !_usedSources.Contains(n)).ToList();
        foreach (var line in _problems) text.Append("\n  ").Append(line);
        foreach (var (name, shape) in _missing)
        {
            text.Append($"\n  missing {name} {shape}");
            var closest = ClosestNames.Find(name, unusedSources.Count > 0 ? unusedSources : _allSourceNames, 3);
            if (closest.Count > 0) text.Append(" (closest in file: ").AppendJoin(", ", closest.Select(c => $"'{c}'")).Append(')');
        }
        foreach (var (name, shape) in _unexpected) text.Append($"\n  unexpected {name} {shape}");
        foreach (var (_, line) in _misshaped) text.Append("\n  mis-shaped ").Append(line);
        if (_skipped.Count > 0)
            text.Append("\n  nothing for ").AppendJoin(", ", _skipped.Take(SkippedListed)).Append(_skipped.Count > SkippedListed ? $", ... ({_skipped.Count - SkippedListed} more)" : "");
        return new WeightImportException(text.ToString(), _filePath,
            _missing.Select(m => m.Name).ToList(), _unexpected.Select(u => u.Name).ToList(),
            _misshaped.Select(m => m.Name).ToList(), _problems.ToList());
    }

    /// <summary>Copies every planned tensor. Call only when <see cref="IsValid"/>; nothing here can fail on valid input.</summary>
    public void Apply()
    {
        if (!IsValid) throw new InvalidOperationException("WeightCopyPlan.Apply on a plan with problems");
        foreach (var copy in _copies)
        {
            // A model on a GPU is filled through a host tensor of the same shape, then one upload.
            var host = copy.Target.Device.IsGpu ? Tensor.Empty(copy.Target.Shape, copy.Target.DType) : copy.Target;
            Fill(copy, host);
            if (ReferenceEquals(host, copy.Target)) continue;
            copy.Target.CopyFrom(host);
            host.Dispose();
        }
    }

    private static void Fill(Copy copy, Tensor host)
    {
        if (host.DType == DType.Float64)
        {
            var dst = host.Span<double>();
            if (copy.Source.DType == WeightDType.F64 && BitConverter.IsLittleEndian)
                MemoryMarshal.Cast<byte, double>(copy.Source.Data).CopyTo(dst);
            else
            {
                var values = copy.Source.ToFloat32();
                for (var i = 0; i < values.Length; i++) dst[i] = values[i];
            }
            return;
        }
        var floats = copy.Source.ToFloat32();
        if (copy.Layout is null) floats.CopyTo(host.Span<float>());
        else copy.Layout.FromKeras(copy.WeightIndex, floats, host.Span<float>());
    }

    private static string? TargetProblem(Tensor target, RawTensor source, IKerasLayout? layout)
    {
        if (target.IsDisposed) return "model tensor was disposed";
        if (!target.IsContiguous) return "model tensor is a strided view";
        if (source.DType is not (WeightDType.F16 or WeightDType.F32 or WeightDType.F64))
            return $"file dtype {source.DType} cannot load into a {target.DType.Name()} tensor";
        if (target.DType == DType.Float64 && layout is not null) return "layout conversion needs a float32 tensor";
        if (target.DType is not (DType.Float32 or DType.Float64)) return $"model tensor has dtype {target.DType.Name()}, expected a float type";
        return null;
    }

    private static bool SameShape(Shape expected, long[] found)
    {
        if (expected.Rank != found.Length) return false;
        for (var i = 0; i < found.Length; i++)
            if (expected[i] != found[i]) return false;
        return true;
    }
}

/// <summary>Suggestions for a name that was not found: the candidates with the smallest edit distance.</summary>
internal static class ClosestNames
{
    public static IReadOnlyList<string> Find(string name, IReadOnlyList<string> candidates, int count) =>
        candidates
            .Select(c => (Candidate: c, Distance: EditDistance(name, c)))
            .OrderBy(c => c.Distance).ThenBy(c => c.Candidate, StringComparer.Ordinal)
            .Take(count)
            .Select(c => c.Candidate)
            .ToList();

    /// <summary>Levenshtein distance, case-insensitive, with one row of state.</summary>
    public static int EditDistance(string a, string b)
    {
        Span<int> row = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) row[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                var substitution = diagonal + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1);
                row[j] = Math.Min(Math.Min(above + 1, row[j - 1] + 1), substitution);
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
