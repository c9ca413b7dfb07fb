using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>
/// torchvision's GeneralizedRCNNTransform for inference: normalise with the ImageNet mean and std, resize by
/// min(minSize / short side, maxSize / long side) (bilinear, half-pixel centres; the output size is
/// floor(side · scale) and the sampling uses the recomputed scale, as interpolate(recompute_scale_factor=True)), then
/// pad bottom and right with zeros to a multiple of 32.
/// </summary>
public sealed record MaskRcnnTransform(int MinSize = 800, int MaxSize = 1333, int SizeDivisible = 32)
{
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f];

    /// <summary>The resized (unpadded) size of an image of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public (int Height, int Width) ResizedSize(int height, int width)
    {
        // torchvision: scale = min(min_size / min(h, w), max_size / max(h, w)) in float32, then floor(side * scale) in double.
        float scale = MathF.Min(MinSize / (float)Math.Min(height, width), MaxSize / (float)Math.Max(height, width));
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
        using var resized = Ops.Resize(normalised, h, w);
        int padH = RoundUp(h) - h, padW = RoundUp(w) - w;
        return (Ops.ZeroPad(resized, new ZeroPadAttrs(0, padH, 0, padW)), h, w);
    }

    private int RoundUp(int size) => (size + SizeDivisible - 1) / SizeDivisible * SizeDivisible;
}
