using NeuralCore.Kernels;
using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>
/// The classic Ronneberger U-Net of seed 001, with 'same' paddings: four encoder blocks of two 3x3 conv + ReLU
/// (64, 128, 256, 512 filters) each followed by a 2x2 max pool and Dropout(0.3); a 1024-filter bottleneck block;
/// four decoder steps of Conv2DTranspose(f, 3, stride 2, 'same') + concat with the encoder block's output +
/// Dropout(0.3) + two 3x3 conv + ReLU; a final 1x1 conv to the class logits. x [N, H, W, 3] -> [N, H, W, classes].
/// </summary>
public sealed class UNet : SegmentationModel
{
    private const int Depth = 4;
    private const double DropoutRate = 0.3;

    private readonly (Sequential Convs, MaxPool2d Pool, Dropout Dropout)[] _down;
    private readonly Sequential _bottleneck;
    private readonly (ConvTranspose2d Up, Concatenate Concat, Dropout Dropout, Sequential Convs)[] _decoder;
    private readonly Conv2d _head;

    /// <param name="baseFilters">Filters of the first block (64 in the seed); each level doubles them.</param>
    public UNet(int classes, ulong seed, int baseFilters = 64, string name = "unet") : base(name, classes, 1 << Depth)
    {
        var rng = new RandomGenerator(seed);
        var dropoutRng = new RandomGenerator(ModelSeeds.Dropout(seed));
        var names = new KerasNames();
        _down = new (Sequential, MaxPool2d, Dropout)[Depth];
        int channels = 3;
        for (int level = 0; level < Depth; level++)
        {
            int filters = baseFilters << level;
            _down[level] = (Add(DoubleConv(names, channels, filters, rng)),
                Add(new MaxPool2d(names.Next("max_pooling2d"), 2)),
                Add(new Dropout(names.Next("dropout"), DropoutRate, dropoutRng)));
            channels = filters;
        }
        _bottleneck = Add(DoubleConv(names, channels, baseFilters << Depth, rng));
        channels = baseFilters << Depth;
        _decoder = new (ConvTranspose2d, Concatenate, Dropout, Sequential)[Depth];
        for (int level = Depth - 1; level >= 0; level--)
        {
            int filters = baseFilters << level;
            _decoder[Depth - 1 - level] = (
                Add(new ConvTranspose2d(names.Next("conv2d_transpose"), channels, filters, 3, rng, strides: 2, padding: Padding2d.Same)),
                Add(new Concatenate(names.Next("concatenate"))),
                Add(new Dropout(names.Next("dropout"), DropoutRate, dropoutRng)),
                Add(DoubleConv(names, 2 * filters, filters, rng)));
            channels = filters;
        }
        _head = Add(new Conv2d(names.Next("conv2d"), channels, classes, 1, rng));
    }

    protected override Tensor Logits(Tensor x)
    {
        // Each skip and intermediate is released after its last use (the storage stays if a backward rule saved it).
        var skips = new Tensor[Depth];
        var y = x;
        for (int level = 0; level < Depth; level++)
        {
            var (convs, pool, dropout) = _down[level];
            skips[level] = ReferenceEquals(y, x) ? convs.Forward(y) : convs.Forward(y).Releasing(y);
            var pooled = pool.Forward(skips[level]);
            y = dropout.Forward(pooled).Releasing(pooled);
        }
        y = _bottleneck.Forward(y).Releasing(y);
        for (int i = 0; i < Depth; i++)
        {
            var (up, concat, dropout, convs) = _decoder[i];
            var upsampled = up.Forward(y).Releasing(y);
            var skip = skips[Depth - 1 - i];
            var joined = concat.Forward(upsampled, skip).Releasing(upsampled).Releasing(skip);
            var dropped = dropout.Forward(joined).Releasing(joined);
            y = convs.Forward(dropped).Releasing(dropped);
        }
        return _head.Forward(y).Releasing(y);
    }

    /// <summary>Two 3x3 'same' Conv2D + ReLU: [N, H, W, Cin] -> [N, H, W, filters].</summary>
    private static Sequential DoubleConv(KerasNames names, int inChannels, int filters, RandomGenerator rng) =>
        new(names.Next("sequential"),
            new Conv2d(names.Next("conv2d"), inChannels, filters, 3, rng, padding: Padding2d.Same, activation: Activation.Relu),
            new Conv2d(names.Next("conv2d"), filters, filters, 3, rng, padding: Padding2d.Same, activation: Activation.Relu));
}
