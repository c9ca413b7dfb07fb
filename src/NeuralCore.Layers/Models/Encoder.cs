using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>How input pixels (0..255 RGB) are scaled before the network sees them.</summary>
public enum InputNormalization
{
    /// <summary>x / 255 (what every seed feeds, pretrained encoder or not).</summary>
    ZeroToOne,

    /// <summary>x / 127.5 - 1: keras.applications MobileNetV2 ('tf' mode), what its ImageNet weights saw.</summary>
    MinusOneToOne,

    /// <summary>RGB -> BGR, minus the ImageNet mean (103.939, 116.779, 123.68), no scaling: VGG16 ('caffe' mode).</summary>
    CaffeBgr,

    /// <summary>x / 255, minus mean (0.485, 0.456, 0.406), over std (0.229, 0.224, 0.225): DenseNet ('torch' mode).</summary>
    TorchImageNet,
}

/// <summary>
/// A keras.applications backbone without its top, built with Keras' layer names so Keras weight files map by name.
/// Its children are its layers and blocks (<see cref="ITappedBlock"/>) in Keras' order, applied one after another.
/// <see cref="ForwardTaps"/> returns named intermediate activations (the U-Net skips) and stops computing as soon
/// as the last one is known, as Keras' <c>Model(inputs, [layer.output ...])</c> computes only what it needs.
/// Every other intermediate is released as soon as the next layer has consumed it; the taps are the caller's.
/// </summary>
public abstract class Encoder : Module
{
    private HashSet<string>? _layerNames;

    protected Encoder(string name) : base(name) { }

    /// <summary>The preprocessing the encoder's ImageNet weights were trained with.</summary>
    public abstract InputNormalization PretrainedNormalization { get; }

    /// <summary>The whole backbone's output (Keras' include_top=False output).</summary>
    public override Tensor Forward(Tensor x) => Run(x, TapRecorder.None);

    /// <summary>The outputs of the layers named <paramref name="layerNames"/>, keyed by those names.</summary>
    public IReadOnlyDictionary<string, Tensor> ForwardTaps(Tensor x, IReadOnlyCollection<string> layerNames)
    {
        _layerNames ??= Modules().Select(m => m.Module.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = layerNames.Where(n => !_layerNames.Contains(n)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"{Name}: no layer named {string.Join(", ", unknown.Select(n => $"'{n}'"))}");
        var recorder = new TapRecorder(layerNames);
        recorder.ReleaseUnlessTapped(Run(x, recorder), x);
        return recorder.Found;
    }

    /// <summary>Runs the children (layers and blocks, in Keras' order), stopping once every tap is known.</summary>
    private Tensor Run(Tensor x, TapRecorder taps) => taps.RunSequence(Children, x);
}

/// <summary>
/// Collects the outputs of wanted layers during one forward pass, and releases the other intermediates of the
/// sequences it runs as soon as their consumer has run: a tap is the only thing that outlives the pass.
/// </summary>
public sealed class TapRecorder
{
    private readonly HashSet<string> _wanted;
    private readonly Dictionary<string, Tensor> _found = new(StringComparer.Ordinal);

    public TapRecorder(IEnumerable<string> layerNames) => _wanted = layerNames.ToHashSet(StringComparer.Ordinal);

    /// <summary>Wants nothing: the forward pass runs to the end.</summary>
    public static TapRecorder None { get; } = new([]);

    /// <summary>True once every wanted output is known (never for <see cref="None"/>).</summary>
    public bool IsComplete => _wanted.Count > 0 && _found.Count == _wanted.Count;

    public IReadOnlyDictionary<string, Tensor> Found => _found;

    /// <summary>
    /// Applies <paramref name="layer"/> to <paramref name="x"/> and records the output if it is wanted; a block
    /// (<see cref="ITappedBlock"/>) lets the recorder see its inner layers too.
    /// </summary>
    public Tensor Run(Module layer, Tensor x) => layer is ITappedBlock block ? block.Run(x, this) : Record(layer, layer.Forward(x));

    /// <summary>
    /// Runs <paramref name="layers"/> one after another, stopping as soon as every wanted output is known. Each
    /// intermediate result that is not a tap is released once the next layer has consumed it; <paramref name="x"/>
    /// and the returned tensor stay the caller's.
    /// </summary>
    public Tensor RunSequence(IEnumerable<Module> layers, Tensor x)
    {
        var y = x;
        foreach (var layer in layers)
        {
            if (IsComplete) return y;
            var next = Run(layer, y);
            if (!ReferenceEquals(next, y)) ReleaseUnlessTapped(y, x);
            y = next;
        }
        return y;
    }

    /// <summary>Releases <paramref name="intermediate"/> unless it is a tap or <paramref name="input"/> (the caller's).</summary>
    public void ReleaseUnlessTapped(Tensor intermediate, Tensor input)
    {
        if (!ReferenceEquals(intermediate, input) && !_found.ContainsValue(intermediate)) intermediate.Dispose();
    }

    public Tensor Record(Module layer, Tensor y)
    {
        if (_wanted.Contains(layer.Name)) _found[layer.Name] = y;
        return y;
    }
}

/// <summary>A module made of Keras layers (a MobileNetV2 or DenseNet block) whose inner outputs can be tapped.</summary>
public interface ITappedBlock
{
    /// <summary>The block's forward pass with every inner layer's output shown to <paramref name="taps"/>; stops early once it is complete.</summary>
    Tensor Run(Tensor x, TapRecorder taps);
}
