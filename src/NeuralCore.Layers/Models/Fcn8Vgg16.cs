using NeuralCore.Kernels;
using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>
/// The cookbook's FCN-8 on VGG16 (seed 002): conv6 = Conv2D(classes, 7, 'same', ReLU) on block5_pool, upsampled x4
/// by Conv2DTranspose(classes, 4, stride 4, no bias); pool4_n = Conv2D(classes, 1, ReLU) on block4_pool, upsampled
/// x2 by Conv2DTranspose(classes, 2, stride 2, no bias); pool3_n = Conv2D(classes, 1, ReLU) on block3_pool; their sum
/// ('add') upsampled x8 by Conv2DTranspose(classes, 8, stride 8, no bias). The cookbook ends in a softmax; here the
/// output stays logits for the fused softmax cross-entropy. x [N, H, W, 3] -> [N, H, W, classes].
/// </summary>
public sealed class Fcn8Vgg16 : SegmentationModel
{
    private static readonly string[] Taps = ["block3_pool", "block4_pool", "block5_pool"];

    private readonly Conv2d _conv6, _pool4Score, _pool3Score;
    private readonly ConvTranspose2d _up6, _up4, _upFinal;
    private readonly Add _sum;

    public Fcn8Vgg16(int classes, ulong seed, string name = "fcn8-vgg16") : base(name, classes, 32)
    {
        var rng = new RandomGenerator(seed);
        Encoder = Add(new Vgg16(ModelSeeds.EncoderStream(seed)));
        var names = new KerasNames();
        _conv6 = Add(new Conv2d("conv6", 512, classes, 7, rng, padding: Padding2d.Same, activation: Activation.Relu));
        _up6 = Add(new ConvTranspose2d(names.Next("conv2d_transpose"), classes, classes, 4, rng, strides: 4, useBias: false));
        _pool4Score = Add(new Conv2d("pool4_n", 512, classes, 1, rng, padding: Padding2d.Same, activation: Activation.Relu));
        _up4 = Add(new ConvTranspose2d(names.Next("conv2d_transpose"), classes, classes, 2, rng, strides: 2, useBias: false));
        _pool3Score = Add(new Conv2d("pool3_n", 256, classes, 1, rng, padding: Padding2d.Same, activation: Activation.Relu));
        _sum = Add(new Add("add"));
        _upFinal = Add(new ConvTranspose2d(names.Next("conv2d_transpose"), classes, classes, 8, rng, strides: 8, useBias: false));
    }

    public override Encoder Encoder { get; }

    protected override Tensor Logits(Tensor x)
    {
        // Each tap and intermediate is released after its last use (the storage stays if a backward rule saved it).
        var pools = Encoder.ForwardTaps(x, Taps);
        var (pool3, pool4, pool5) = (pools["block3_pool"], pools["block4_pool"], pools["block5_pool"]);
        var score5 = _conv6.Forward(pool5).Releasing(pool5);
        var fromPool5 = _up6.Forward(score5).Releasing(score5);
        var score4 = _pool4Score.Forward(pool4).Releasing(pool4);
        var fromPool4 = _up4.Forward(score4).Releasing(score4);
        var fromPool3 = _pool3Score.Forward(pool3).Releasing(pool3);
        var sum = _sum.Forward(fromPool4, fromPool3, fromPool5).Releasing(fromPool4).Releasing(fromPool3).Releasing(fromPool5);
        return _upFinal.Forward(sum).Releasing(sum);
    }
}
