using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>
/// torchvision's FeaturePyramidNetwork over C2..C5 with LastLevelMaxPool: 1x1 lateral convolutions, the coarser
/// level upsampled (nearest, 2x: the padding to 32 makes every level exactly twice the next) and added, a 3x3 output
/// convolution per level, and P6 = max_pool(P5, kernel 1, stride 2). Returns P2..P6 (strides 4 to 64).
/// </summary>
public sealed class FeaturePyramid
{
    private const string Prefix = "backbone.fpn.";

    private readonly ConvUnit[] _lateral, _output;

    public FeaturePyramid(MaskRcnnWeights w, int[] inChannels)
    {
        _lateral = new ConvUnit[inChannels.Length];
        _output = new ConvUnit[inChannels.Length];
        for (int i = 0; i < inChannels.Length; i++)
        {
            _lateral[i] = ConvUnit.WithBias(w, $"{Prefix}inner_blocks.{i}.0", inChannels[i], 1, relu: false, $"{Prefix}inner_blocks.{i}");
            _output[i] = ConvUnit.WithBias(w, $"{Prefix}layer_blocks.{i}.0", _lateral[i].OutChannels, 3, relu: false, $"{Prefix}layer_blocks.{i}");
        }
    }

    public int Channels => _output[0].OutChannels;

    /// <summary>Moves every weight to <paramref name="device"/>, where <see cref="Forward"/> then runs.</summary>
    public void MoveTo(Device device)
    {
        foreach (var conv in _lateral.Concat(_output)) conv.MoveTo(device);
    }

    /// <summary>C2..C5 -> P2..P6.</summary>
    public Tensor[] Forward(IReadOnlyList<Tensor> c)
    {
        int levels = _lateral.Length;
        var p = new Tensor[levels + 1];
        var inner = _lateral[levels - 1].Forward(c[levels - 1]);
        p[levels - 1] = _output[levels - 1].Forward(inner);
        for (int i = levels - 2; i >= 0; i--)
        {
            using var lateral = _lateral[i].Forward(c[i]);
            if (lateral.Shape[1] != 2 * inner.Shape[1] || lateral.Shape[2] != 2 * inner.Shape[2])
                throw new InvalidOperationException($"FPN level {i}: {lateral.Describe()} is not twice {inner.Describe()}: the batch must be padded to a multiple of 32");
            using var topDown = Ops.Upsample(inner, new UpsampleAttrs(2, 2));
            inner.Dispose();
            inner = Ops.Add(lateral, topDown);
            p[i] = _output[i].Forward(inner);
        }
        inner.Dispose();
        p[levels] = Ops.MaxPool2d(p[levels - 1], new Pool2dAttrs(1, 1, 2, 2));
        return p;
    }
}
