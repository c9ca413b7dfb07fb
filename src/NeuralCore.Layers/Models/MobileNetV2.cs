using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>
/// keras.applications MobileNetV2, alpha 1.0, include_top=False: x [N, H, W, 3] -> [N, H/32, W/32, 1280].
/// Conv1 (3x3 s2 'same') + bn_Conv1 + Conv1_relu, inverted residual blocks expanded_conv, block_1 .. block_16, then
/// Conv_1 (1x1, 1280) + Conv_1_bn + out_relu. Every BatchNormalization has epsilon 1e-3 and momentum 0.999; every
/// activation is ReLU6. Keras count 2,257,984 (parameters plus moving statistics).
/// </summary>
public sealed class MobileNetV2 : Encoder
{
    /// <summary>(filters, stride, expansion) of blocks 0..16, as keras.applications lists them.</summary>
    private static readonly (int Filters, int Stride, int Expansion)[] BlockSpecs =
    [
        (16, 1, 1),
        (24, 2, 6), (24, 1, 6),
        (32, 2, 6), (32, 1, 6), (32, 1, 6),
        (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6),
        (96, 1, 6), (96, 1, 6), (96, 1, 6),
        (160, 2, 6), (160, 1, 6), (160, 1, 6),
        (320, 1, 6),
    ];

    internal const double BnEpsilon = 1e-3;
    internal const double BnMomentum = 0.999;

    public MobileNetV2(RandomGenerator rng, string name = "mobilenetv2_1.00") : base(name)
    {
        Add(new Conv2d("Conv1", 3, 32, 3, rng, strides: 2, padding: Padding2d.Same, useBias: false));
        Add(new BatchNorm2d("bn_Conv1", 32, BnEpsilon, BnMomentum));
        Add(new ReLU6("Conv1_relu"));
        int channels = 32;
        for (int id = 0; id < BlockSpecs.Length; id++)
        {
            var (filters, stride, expansion) = BlockSpecs[id];
            Add(new InvertedResidual(id, channels, filters, stride, expansion, rng));
            channels = filters;
        }
        Add(new Conv2d("Conv_1", channels, 1280, 1, rng, useBias: false));
        Add(new BatchNorm2d("Conv_1_bn", 1280, BnEpsilon, BnMomentum));
        Add(new ReLU6("out_relu"));
    }

    public override InputNormalization PretrainedNormalization => InputNormalization.MinusOneToOne;
}

/// <summary>
/// MobileNetV2's inverted residual block <c>block_{id}</c> (<c>expanded_conv</c> for id 0, which has no expansion):
/// 1x1 expand + BN + ReLU6, [correct_pad ZeroPadding2D for stride 2] 3x3 depthwise ('same', or 'valid' after the
/// pad) + BN + ReLU6, 1x1 project + BN, and a residual Add when the shape is kept.
/// [N, H, W, Cin] -> [N, H/stride, W/stride, filters].
/// </summary>
internal sealed class InvertedResidual : Module, ITappedBlock
{
    private readonly Module[] _layers;
    private readonly Add? _residual;

    public InvertedResidual(int id, int inChannels, int filters, int stride, int expansion, RandomGenerator rng)
        : base(id == 0 ? "expanded_conv" : $"block_{id}")
    {
        string prefix = id == 0 ? "expanded_conv_" : $"block_{id}_";
        int expanded = inChannels * expansion;
        var layers = new List<Module>();
        if (id > 0)
        {
            layers.Add(new Conv2d(prefix + "expand", inChannels, expanded, 1, rng, padding: Padding2d.Same, useBias: false));
            layers.Add(new BatchNorm2d(prefix + "expand_BN", expanded, MobileNetV2.BnEpsilon, MobileNetV2.BnMomentum));
            layers.Add(new ReLU6(prefix + "expand_relu"));
        }
        if (stride == 2) layers.Add(ZeroPadding2d.CorrectPad(prefix + "pad", 3));
        layers.Add(new DepthwiseConv2d(prefix + "depthwise", expanded, 3, rng, strides: stride,
            padding: stride == 1 ? Padding2d.Same : Padding2d.Valid, useBias: false));
        layers.Add(new BatchNorm2d(prefix + "depthwise_BN", expanded, MobileNetV2.BnEpsilon, MobileNetV2.BnMomentum));
        layers.Add(new ReLU6(prefix + "depthwise_relu"));
        layers.Add(new Conv2d(prefix + "project", expanded, filters, 1, rng, padding: Padding2d.Same, useBias: false));
        layers.Add(new BatchNorm2d(prefix + "project_BN", filters, MobileNetV2.BnEpsilon, MobileNetV2.BnMomentum));
        _layers = layers.Select(Add).ToArray();
        if (inChannels == filters && stride == 1) _residual = Add(new Add(prefix + "add"));
    }

    public override Tensor Forward(Tensor x) => Run(x, TapRecorder.None);

    public Tensor Run(Tensor x, TapRecorder taps)
    {
        // Stopping at the tap matters: the U-Net taps block_16_project, and running block_16_project_BN anyway
        // would update its moving statistics, which Keras' truncated down_stack never computes.
        var y = taps.RunSequence(_layers, x);
        if (_residual is null || taps.IsComplete) return y;
        var sum = taps.Record(_residual, _residual.Forward(x, y));
        taps.ReleaseUnlessTapped(y, x);
        return sum;
    }
}
