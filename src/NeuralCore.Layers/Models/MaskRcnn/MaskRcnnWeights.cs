using NeuralCore.Layers.Import;
using NeuralCore.Layers.Import.Torch;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>
/// The tensors of a torchvision Mask R-CNN state dict (a .pth read by <see cref="TorchCheckpoint"/>), handed out by name
/// in our layouts (convolutions HWIO, linear weights [in, out]). Widths come from the file, so the full model and a
/// narrow twin load alike; what is checked is that each tensor exists, has its rank and kernel size, and fits the
/// channels of the tensor before it. Problems are collected while the model is built and reported together by
/// <see cref="ThrowIfIncomplete"/>: missing, mis-shaped and unexpected tensors in one error naming the file.
/// Names are torchvision 0.14's; the legacy names of older checkpoints (torchvision's COCO release:
/// <c>fpn.inner_blocks.0.weight</c>, <c>rpn.head.conv.weight</c>, <c>mask_head.mask_fcn1.weight</c>) are accepted too.
/// </summary>
public sealed class MaskRcnnWeights
{
    private readonly Dictionary<string, RawTensor> _tensors;
    private readonly HashSet<string> _used = [];
    private readonly List<string> _missing = [], _misshaped = [];

    private MaskRcnnWeights(string source, IEnumerable<RawTensor> tensors)
    {
        Source = source;
        _tensors = tensors.Where(t => !t.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToDictionary(t => t.Name);
    }

    /// <summary>Where the tensors came from, for error messages.</summary>
    public string Source { get; }

    public static MaskRcnnWeights Read(string path) => new(path, TorchCheckpoint.Read(path).Tensors);

    public static MaskRcnnWeights From(string source, IEnumerable<RawTensor> tensors) => new(source, tensors);

    /// <summary>Whether <paramref name="name"/> (or one of its legacy names) is present, without using it.</summary>
    public bool Has(string name, params string[] legacy) => Find(name, legacy) is not null;

    /// <summary>A conv weight [O, I, k, k] as HWIO, with I = <paramref name="inChannels"/>; <paramref name="outChannels"/> is O.</summary>
    public Tensor Conv(string name, int inChannels, int kernel, out int outChannels, params string[] legacy)
    {
        outChannels = 0;
        var raw = Take(name, legacy);
        if (raw is null) return Placeholder();
        if (raw.Shape.Length != 4 || !Fits(raw.Shape[1], inChannels) || raw.Shape[2] != kernel || raw.Shape[3] != kernel)
            return Misshaped(raw, $"[out, {inChannels}, {kernel}, {kernel}]");
        outChannels = (int)raw.Shape[0];
        return ToTensor(TorchLayouts.ConvWeight(raw));
    }

    /// <summary>A ConvTranspose2d weight [I, O, k, k] as [k, k, O, I], with I = <paramref name="inChannels"/>.</summary>
    public Tensor ConvTranspose(string name, int inChannels, int kernel, out int outChannels)
    {
        outChannels = 0;
        var raw = Take(name, []);
        if (raw is null) return Placeholder();
        if (raw.Shape.Length != 4 || !Fits(raw.Shape[0], inChannels) || raw.Shape[2] != kernel || raw.Shape[3] != kernel)
            return Misshaped(raw, $"[{inChannels}, out, {kernel}, {kernel}]");
        outChannels = (int)raw.Shape[1];
        return ToTensor(TorchLayouts.ConvTransposeWeight(raw));
    }

    /// <summary>A Linear weight [O, I] as [I, O], with I = <paramref name="inFeatures"/>.</summary>
    public Tensor Linear(string name, int inFeatures, out int outFeatures)
    {
        outFeatures = 0;
        var raw = Take(name, []);
        if (raw is null) return Placeholder();
        if (raw.Shape.Length != 2 || !Fits(raw.Shape[1], inFeatures)) return Misshaped(raw, $"[out, {inFeatures}]");
        outFeatures = (int)raw.Shape[0];
        return ToTensor(TorchLayouts.LinearWeight(raw));
    }

    /// <summary>
    /// A Linear weight [O, C·k·k] that reads NCHW-flattened [C, k, k] features, as [k·k·C, O] for our NHWC flattening
    /// [k, k, C] (torchvision's box head fc6 after 7x7 RoIAlign).
    /// </summary>
    public Tensor LinearFromChannelsFirst(string name, int channels, int kernel, out int outFeatures)
    {
        outFeatures = 0;
        var raw = Take(name, []);
        if (raw is null) return Placeholder();
        long inFeatures = (long)channels * kernel * kernel;
        if (raw.Shape.Length != 2 || (channels > 0 && raw.Shape[1] != inFeatures)) return Misshaped(raw, $"[out, {channels}·{kernel}·{kernel}]");
        outFeatures = (int)raw.Shape[0];
        var blocks = raw with { Shape = [raw.Shape[0], raw.Shape[1] / (kernel * kernel), kernel, kernel] };
        var hwio = TorchLayouts.Permute(blocks, 2, 3, 1, 0);
        return ToTensor(hwio with { Shape = [raw.Shape[1], raw.Shape[0]] });
    }

    /// <summary>A vector of <paramref name="length"/> values (a bias, a batch-norm buffer).</summary>
    public Tensor Vector(string name, int length, params string[] legacy)
    {
        var raw = Take(name, legacy);
        if (raw is null) return Placeholder();
        if (raw.Shape.Length != 1 || !Fits(raw.Shape[0], length)) return Misshaped(raw, $"[{length}]");
        return ToTensor(raw);
    }

    /// <summary>The values of vector <paramref name="name"/> of <paramref name="length"/> (empty when missing or mis-shaped).</summary>
    public float[] VectorValues(string name, int length)
    {
        var raw = Take(name, []);
        if (raw is null) return [];
        if (raw.Shape.Length != 1 || !Fits(raw.Shape[0], length))
        {
            using (Misshaped(raw, $"[{length}]")) return [];
        }
        return raw.ToFloat32();
    }

    /// <summary>One error listing every missing, mis-shaped and unused tensor, if there is any.</summary>
    public void ThrowIfIncomplete()
    {
        var unexpected = _tensors.Keys.Where(k => !_used.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (_missing.Count == 0 && _misshaped.Count == 0 && unexpected.Count == 0) return;
        var parts = new List<string>();
        if (_missing.Count > 0) parts.Add($"missing {_missing.Count}: {Summary(_missing)}");
        if (_misshaped.Count > 0) parts.Add($"mis-shaped {_misshaped.Count}: {Summary(_misshaped)}");
        if (unexpected.Count > 0) parts.Add($"unexpected {unexpected.Count}: {Summary(unexpected)}");
        throw new InvalidDataException($"{Source}: not a torchvision Mask R-CNN state dict: {string.Join("; ", parts)}");

        static string Summary(List<string> names) => string.Join(", ", names.Take(12)) + (names.Count > 12 ? ", ..." : "");
    }

    /// <summary>
    /// Whether a dimension fits the one expected; 0 means unknown (the tensor it follows was missing or mis-shaped), so
    /// one bad tensor is reported once instead of again in everything after it.
    /// </summary>
    private static bool Fits(long actual, int expected) => expected == 0 || actual == expected;

    private RawTensor? Find(string name, string[] legacy) =>
        _tensors.GetValueOrDefault(name) ?? legacy.Select(l => _tensors.GetValueOrDefault(l)).FirstOrDefault(t => t is not null);

    private RawTensor? Take(string name, string[] legacy)
    {
        var raw = Find(name, legacy);
        if (raw is null) _missing.Add(name);
        else _used.Add(raw.Name);
        return raw;
    }

    private Tensor Misshaped(RawTensor raw, string expected)
    {
        _misshaped.Add($"{raw.Name} {raw.ShapeText} (expected {expected})");
        return Placeholder();
    }

    /// <summary>Stands in for a tensor that is missing or mis-shaped (0 channels: unknown to the layers after it); the model is never run, ThrowIfIncomplete throws first.</summary>
    private static Tensor Placeholder() => Tensor.Zeros([0]);

    private static Tensor ToTensor(RawTensor raw) => Tensor.FromArray(raw.ToFloat32(), new Shape(raw.Shape.Select(d => (int)d).ToArray()));
}
