using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>
/// torchvision's GeneralizedRCNNTransform for inference: normalise with the ImageNet mean and std, resize by
/// min(minSize / short side, maxSize / long side) (bilinear, half-pixel centres; the output size is
/// floor(side · scale) and the sampling uses the recomputed scale, as interpolate(recompute_scale_factor=True)), then
/// pad bottom and right with zeros to a multiple of 32.
/// </summary>
/// <remarks>
/// The resize runs on the host with PyTorch's rounding (<see cref="TorchBilinear"/>), not through our resize op: the op's
/// float32 source positions put the 480x640 photo's resize 1.7e-4 from torchvision's, and with the seeded random
/// full-size weights that alone moved boxes by up to 612 px and the worst mask IoU to 0 (bench/RESULTS-maskrcnn.md).
/// </remarks>
public sealed record MaskRcnnTransform(int MinSize = 800, int MaxSize = 1333, int SizeDivisible = 32)
{
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f];

    /// <summary>The resized (unpadded) size of an image of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public (int Height, int Width) ResizedSize(int height, int width)
    {
        // torchvision: scale = min(min_size / min(h, w), max_size / max(h, w)) in float32, then floor(side * scale) in double.
        // Each quotient is a Python number over a float32 tensor, which PyTorch evaluates as reciprocal(side) · size:
        // two float32 roundings, not one. For about a quarter of photo sizes that moves the scale by one last bit across
        // a whole pixel: 480x640 resizes to 800x1066 (800/480 rounded once gives 1.6666666, 799 rows).
        float scale = MathF.Min(1f / Math.Min(height, width) * MinSize, 1f / Math.Max(height, width) * MaxSize);
        return ((int)Math.Floor(height * (double)scale), (int)Math.Floor(width * (double)scale));
    }

    /// <summary>image [1, H, W, 3] RGB in [0, 1] -> the padded batch [1, PH, PW, 3] and the resized size.</summary>
    public (Tensor Batch, int Height, int Width) Apply(Tensor image)
    {
        if (image.Rank != 4 || image.Shape[0] != 1 || image.Shape[3] != 3)
            throw new ArgumentException($"Mask R-CNN transform: image must be [1, H, W, 3] RGB, got {image.Describe()}");
        using var mean = Tensor.FromArray(Mean, [3], image.Device);
        using var std = Tensor.FromArray(Std, [3], image.Device);
        using var centred = Ops.Sub(image, mean);
        using var normalised = Ops.Div(centred, std);
        var (h, w) = ResizedSize(image.Shape[1], image.Shape[2]);
        using var resized = Tensor.FromArray(
            TorchBilinear.Resize(normalised.ToArray<float>(), image.Shape[1], image.Shape[2], 3, h, w), [1, h, w, 3], image.Device);
        int padH = RoundUp(h) - h, padW = RoundUp(w) - w;
        return (Ops.ZeroPad(resized, new ZeroPadAttrs(0, padH, 0, padW)), h, w);
    }

    private int RoundUp(int size) => (size + SizeDivisible - 1) / SizeDivisible * SizeDivisible;
}
