using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>
/// A pretrained encoder with the TF segmentation tutorial's pix2pix decoder (unet-mobilenetv2, unet-densenet121).
/// Five encoder taps at strides 2, 4, 8, 16, 32; from the deepest, four pix2pix upsample blocks (512, 256, 128, 64
/// filters, kernel 3) each followed by a concatenation with the next shallower tap; a last Conv2DTranspose (kernel 3,
/// stride 2, 'same', with bias, glorot-uniform as in the tutorial) to full resolution gives the logits.
/// x [N, H, W, 3] -> [N, H, W, classes].
/// </summary>
public sealed class EncoderUNet : SegmentationModel
{
    private static readonly int[] DecoderFilters = [512, 256, 128, 64];

    private readonly string[] _taps;
    private readonly Sequential[] _up;
    private readonly Concatenate[] _concat;
    private readonly ConvTranspose2d _last;

    /// <param name="taps">Encoder layer names and their channels, shallowest (stride 2) first, deepest (stride 32) last.</param>
    public EncoderUNet(string name, Encoder encoder, IReadOnlyList<(string Layer, int Channels)> taps, int classes, ulong seed) : base(name, classes, 32)
    {
        if (taps.Count != DecoderFilters.Length + 1)
            throw new ArgumentException($"{name}: needs {DecoderFilters.Length + 1} encoder taps, got {taps.Count}");
        var rng = new RandomGenerator(seed);
        var dropoutRng = new RandomGenerator(ModelSeeds.Dropout(seed));
        Encoder = Add(encoder);
        _taps = taps.Select(t => t.Layer).ToArray();
        var names = new KerasNames();
        _up = new Sequential[DecoderFilters.Length];
        _concat = new Concatenate[DecoderFilters.Length];
        int channels = taps[^1].Channels;
        for (int i = 0; i < DecoderFilters.Length; i++)
        {
            _up[i] = Add(Pix2PixBlocks.Upsample(names, channels, DecoderFilters[i], 3, dropout: false, rng, dropoutRng));
            _concat[i] = Add(new Concatenate(names.Next("concatenate")));
            channels = DecoderFilters[i] + taps[taps.Count - 2 - i].Channels;
        }
        _last = Add(new ConvTranspose2d(names.Next("conv2d_transpose"), channels, classes, 3, rng, strides: 2, padding: Padding2d.Same));
    }

    public override Encoder Encoder { get; }

    protected override Tensor Logits(Tensor x)
    {
        // Each tap and intermediate is released after its last use (the storage stays if a backward rule saved it).
        var skips = Encoder.ForwardTaps(x, _taps);
        var y = skips[_taps[^1]];
        for (int i = 0; i < _up.Length; i++)
        {
            var up = _up[i].Forward(y).Releasing(y);
            var skip = skips[_taps[_taps.Length - 2 - i]];
            y = _concat[i].Forward(up, skip).Releasing(up).Releasing(skip);
        }
        return _last.Forward(y).Releasing(y);
    }
}
