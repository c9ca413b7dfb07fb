using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>
/// keras.applications DenseNet121, include_top=False: x [N, H, W, 3] -> [N, H/32, W/32, 1024]. Stem: 3-pixel
/// ZeroPadding2D, conv1/conv (7x7 s2 'valid'), conv1/bn, conv1/relu, 1-pixel ZeroPadding2D, pool1 (3x3 max, s2).
/// Dense blocks conv2..conv5 of 6, 12, 24, 16 conv blocks (growth 32), transitions pool2..pool4 (BN, ReLU, 1x1 conv
/// halving the channels, 2x2 average pool), then bn and relu. BatchNorm epsilon 1.001e-5, Keras' default momentum
/// 0.99. Keras count 7,037,504 (parameters plus moving statistics).
/// </summary>
public sealed class DenseNet121 : Encoder
{
    private static readonly int[] BlockSizes = [6, 12, 24, 16];

    internal const double BnEpsilon = 1.001e-5;
    internal const int GrowthRate = 32;

    public DenseNet121(RandomGenerator rng, string name = "densenet121") : base(name)
    {
        // Keras gives the two stem paddings automatic names.
        Add(new ZeroPadding2d("zero_padding2d", 3));
        Add(new Conv2d("conv1/conv", 3, 64, 7, rng, strides: 2, useBias: false));
        Add(new BatchNorm2d("conv1/bn", 64, BnEpsilon));
        Add(new ReLU("conv1/relu"));
        Add(new ZeroPadding2d("zero_padding2d_1", 1));
        Add(new MaxPool2d("pool1", 3, 2));
        int channels = 64;
        for (int stage = 0; stage < BlockSizes.Length; stage++)
        {
            for (int i = 1; i <= BlockSizes[stage]; i++)
            {
                Add(new DenseConvBlock($"conv{stage + 2}_block{i}", channels, rng));
                channels += GrowthRate;
            }
            if (stage == BlockSizes.Length - 1) break;
            Add(new DenseTransition($"pool{stage + 2}", channels, rng));
            channels /= 2;
        }
        Add(new BatchNorm2d("bn", channels, BnEpsilon));
        Add(new ReLU("relu"));
    }

    public override InputNormalization PretrainedNormalization => InputNormalization.TorchImageNet;
}

/// <summary>A group of DenseNet layers named <c>{name}_...</c>, run in order with their outputs visible to taps.</summary>
internal abstract class DenseNetBlock(string name) : Module(name), ITappedBlock
{
    public override Tensor Forward(Tensor x) => Run(x, TapRecorder.None);

    public abstract Tensor Run(Tensor x, TapRecorder taps);
}

/// <summary>
/// DenseNet's conv_block: x [N, H, W, C] -> concat(x, f(x)) [N, H, W, C + 32] with f = BN, ReLU, 1x1 conv (128),
/// BN, ReLU, 3x3 'same' conv (32); layers <c>{name}_0_bn</c> .. <c>{name}_2_conv</c>, <c>{name}_concat</c>.
/// </summary>
internal sealed class DenseConvBlock : DenseNetBlock
{
    private readonly Module[] _branch;
    private readonly Concatenate _concat;

    public DenseConvBlock(string name, int channels, RandomGenerator rng) : base(name)
    {
        int bottleneck = 4 * DenseNet121.GrowthRate;
        _branch =
        [
            Add(new BatchNorm2d(name + "_0_bn", channels, DenseNet121.BnEpsilon)),
            Add(new ReLU(name + "_0_relu")),
            Add(new Conv2d(name + "_1_conv", channels, bottleneck, 1, rng, useBias: false)),
            Add(new BatchNorm2d(name + "_1_bn", bottleneck, DenseNet121.BnEpsilon)),
            Add(new ReLU(name + "_1_relu")),
            Add(new Conv2d(name + "_2_conv", bottleneck, DenseNet121.GrowthRate, 3, rng, padding: Padding2d.Same, useBias: false)),
        ];
        _concat = Add(new Concatenate(name + "_concat"));
    }

    public override Tensor Run(Tensor x, TapRecorder taps)
    {
        var y = taps.RunSequence(_branch, x);
        if (taps.IsComplete) return y;
        var joined = taps.Record(_concat, _concat.Forward(x, y));
        taps.ReleaseUnlessTapped(y, x);
        return joined;
    }
}

/// <summary>
/// DenseNet's transition_block: [N, H, W, C] -> [N, H/2, W/2, C/2] by <c>{name}_bn</c>, <c>{name}_relu</c>,
/// <c>{name}_conv</c> (1x1), <c>{name}_pool</c> (2x2 average).
/// </summary>
internal sealed class DenseTransition : DenseNetBlock
{
    public DenseTransition(string name, int channels, RandomGenerator rng) : base(name)
    {
        Add(new BatchNorm2d(name + "_bn", channels, DenseNet121.BnEpsilon));
        Add(new ReLU(name + "_relu"));
        Add(new Conv2d(name + "_conv", channels, channels / 2, 1, rng, useBias: false));
        Add(new AvgPool2d(name + "_pool", 2, 2));
    }

    public override Tensor Run(Tensor x, TapRecorder taps) => taps.RunSequence(Children, x);
}
