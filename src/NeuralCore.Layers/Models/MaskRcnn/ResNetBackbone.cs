using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>
/// torchvision's ResNet-50 body for detection (v1.5: the stride sits on each bottleneck's 3x3 convolution), every
/// batch norm frozen: the stem (7x7/2 conv, 3x3/2 max pool) and layer1..layer4, returning C2..C5 (strides 4 to 32).
/// Block counts and widths come from the state dict (ResNet-50: 3, 4, 6, 3 blocks; 256 to 2048 channels).
/// </summary>
public sealed class ResNetBackbone
{
    private const string Prefix = "backbone.body.";

    private readonly ConvUnit _stem;
    private readonly Bottleneck[][] _layers;

    public ResNetBackbone(MaskRcnnWeights w)
    {
        _stem = ConvUnit.WithFrozenNorm(w, Prefix + "conv1", Prefix + "bn1", 3, 7, 2, 3, relu: true);
        int channels = _stem.OutChannels;
        _layers = new Bottleneck[4][];
        for (int l = 0; l < 4; l++)
        {
            var blocks = new List<Bottleneck>();
            for (int b = 0; b == 0 || w.Has($"{Prefix}layer{l + 1}.{b}.conv1.weight"); b++)
            {
                var block = new Bottleneck(w, $"{Prefix}layer{l + 1}.{b}.", channels, stride: l > 0 && b == 0 ? 2 : 1);
                channels = block.OutChannels;
                blocks.Add(block);
            }
            _layers[l] = blocks.ToArray();
        }
        OutChannels = _layers.Select(l => l[^1].OutChannels).ToArray();
    }

    /// <summary>The channels of C2..C5.</summary>
    public int[] OutChannels { get; }

    /// <summary>Moves every (folded) weight to <paramref name="device"/>, where <see cref="Forward"/> then runs.</summary>
    public void MoveTo(Device device)
    {
        _stem.MoveTo(device);
        foreach (var block in _layers.SelectMany(l => l)) block.MoveTo(device);
    }

    /// <summary>images [N, H, W, 3] -> C2..C5.</summary>
    public Tensor[] Forward(Tensor images)
    {
        using var stem = _stem.Forward(images);
        var x = Ops.MaxPool2d(stem, new Pool2dAttrs(3, 3, 2, 2, 1, 1, 1, 1));
        var outputs = new Tensor[4];
        for (int l = 0; l < 4; l++)
        {
            foreach (var block in _layers[l])
            {
                var next = block.Forward(x);
                if (l == 0 || x != outputs[l - 1]) x.Dispose();
                x = next;
            }
            outputs[l] = x;
        }
        return outputs;
    }

    /// <summary>1x1 reduce, 3x3 (strided), 1x1 expand, each with a frozen norm; the shortcut projects when the shape changes.</summary>
    private sealed class Bottleneck
    {
        private readonly ConvUnit _reduce, _spatial, _expand;
        private readonly ConvUnit? _projection;

        public Bottleneck(MaskRcnnWeights w, string p, int inChannels, int stride)
        {
            _reduce = ConvUnit.WithFrozenNorm(w, p + "conv1", p + "bn1", inChannels, 1, 1, 0, relu: true);
            _spatial = ConvUnit.WithFrozenNorm(w, p + "conv2", p + "bn2", _reduce.OutChannels, 3, stride, 1, relu: true);
            _expand = ConvUnit.WithFrozenNorm(w, p + "conv3", p + "bn3", _spatial.OutChannels, 1, 1, 0, relu: false);
            if (w.Has(p + "downsample.0.weight"))
                _projection = ConvUnit.WithFrozenNorm(w, p + "downsample.0", p + "downsample.1", inChannels, 1, stride, 0, relu: false);
        }

        public int OutChannels => _expand.OutChannels;

        public void MoveTo(Device device)
        {
            foreach (var conv in new[] { _reduce, _spatial, _expand, _projection }) conv?.MoveTo(device);
        }

        public Tensor Forward(Tensor x)
        {
            using var a = _reduce.Forward(x);
            using var b = _spatial.Forward(a);
            using var c = _expand.Forward(b);
            using var shortcut = _projection?.Forward(x);
            using var sum = Ops.Add(c, shortcut ?? x);
            return Ops.Relu(sum);
        }
    }
}
