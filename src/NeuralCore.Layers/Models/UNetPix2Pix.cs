using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>
/// The cookbook's "U-Net from scratch" (seed 002), laid out like the pix2pix generator: eight downsample blocks
/// (Conv2D 4x4 stride 2, BN except on the first, LeakyReLU) with 64, 128, 256, 512, 512, 512, 512, 512 filters;
/// seven upsample blocks (Conv2DTranspose 4x4 stride 2, BN, Dropout(0.5) on the first three, ReLU) with 512, 512,
/// 512, 512, 256, 128, 64 filters, each concatenated with the mirrored down block's output; a final
/// Conv2DTranspose(classes, 3, stride 2, 'same', N(0, 0.02)) to the logits. Eight halvings: H and W must be
/// multiples of 256. x [N, H, W, 3] -> [N, H, W, classes].
/// </summary>
public sealed class UNetPix2Pix : SegmentationModel
{
    private static readonly int[] DownFilters = [64, 128, 256, 512, 512, 512, 512, 512];
    private static readonly int[] UpFilters = [512, 512, 512, 512, 256, 128, 64];
    private const int DropoutBlocks = 3;

    private readonly Sequential[] _down;
    private readonly (Sequential Up, Concatenate Concat)[] _up;
    private readonly ConvTranspose2d _last;

    /// <param name="widthDivisor">Divides every filter count (1 in the seed; tests use a thinner network).</param>
    public UNetPix2Pix(int classes, ulong seed, int widthDivisor = 1, string name = "unet-pix2pix") : base(name, classes, 1 << DownFilters.Length)
    {
        if (widthDivisor < 1 || DownFilters.Concat(UpFilters).Any(f => f % widthDivisor != 0))
            throw new ArgumentOutOfRangeException(nameof(widthDivisor), $"{name}: width divisor {widthDivisor} must divide every filter count (64 .. 512)");
        var rng = new RandomGenerator(seed);
        var dropoutRng = new RandomGenerator(ModelSeeds.Dropout(seed));
        var names = new KerasNames();
        _down = new Sequential[DownFilters.Length];
        int channels = 3;
        for (int i = 0; i < DownFilters.Length; i++)
        {
            int filters = DownFilters[i] / widthDivisor;
            _down[i] = Add(Pix2PixBlocks.Downsample(names, channels, filters, 4, batchNorm: i != 0, rng));
            channels = filters;
        }
        _up = new (Sequential, Concatenate)[UpFilters.Length];
        for (int i = 0; i < UpFilters.Length; i++)
        {
            int filters = UpFilters[i] / widthDivisor;
            _up[i] = (Add(Pix2PixBlocks.Upsample(names, channels, filters, 4, dropout: i < DropoutBlocks, rng, dropoutRng)),
                Add(new Concatenate(names.Next("concatenate"))));
            channels = filters + DownFilters[DownFilters.Length - 2 - i] / widthDivisor;
        }
        _last = Add(new ConvTranspose2d(names.Next("conv2d_transpose"), channels, classes, 3, rng, strides: 2, padding: Padding2d.Same,
            kernelInitializer: Initializer.Normal(rng, 0, Pix2PixBlocks.InitStd)));
    }

    protected override Tensor Logits(Tensor x)
    {
        // Each skip and intermediate is released after its last use (the storage stays if a backward rule saved it).
        var skips = new Tensor[_down.Length];
        var y = x;
        for (int i = 0; i < _down.Length; i++) y = skips[i] = _down[i].Forward(y);
        for (int i = 0; i < _up.Length; i++)
        {
            var up = _up[i].Up.Forward(y).Releasing(y);
            var skip = skips[_down.Length - 2 - i];
            y = _up[i].Concat.Forward(up, skip).Releasing(up).Releasing(skip);
        }
        return _last.Forward(y).Releasing(y);
    }
}
