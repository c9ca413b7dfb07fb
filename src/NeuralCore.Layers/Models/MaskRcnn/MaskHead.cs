using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>
/// torchvision's RoIHeads mask branch for inference: MultiScaleRoIAlign 14x14 (sampling 2) on the detected boxes,
/// MaskRCNNHeads (3x3 conv + ReLU, four times), MaskRCNNPredictor (ConvTranspose 2x2 stride 2 + ReLU, 1x1 conv to one
/// logit map per class); the detected class's map through a sigmoid: probabilities [D, 28, 28].
/// </summary>
public sealed class MaskHead
{
    private const string Prefix = "roi_heads.";

    private readonly ConvUnit[] _convs;
    private readonly Tensor _upsample, _upsampleBias;
    private readonly ConvUnit _logits;
    private readonly MultiScaleRoiAlign _pool = new(14, 2);

    public MaskHead(MaskRcnnWeights w, int channels)
    {
        var convs = new List<ConvUnit>();
        for (int i = 0; i == 0 || w.Has($"{Prefix}mask_head.{i}.0.weight", $"{Prefix}mask_head.mask_fcn{i + 1}.weight"); i++)
        {
            var conv = ConvUnit.WithBias(w, $"{Prefix}mask_head.{i}.0", channels, 3, relu: true, $"{Prefix}mask_head.mask_fcn{i + 1}");
            channels = conv.OutChannels;
            convs.Add(conv);
        }
        _convs = convs.ToArray();
        _upsample = w.ConvTranspose(Prefix + "mask_predictor.conv5_mask.weight", channels, 2, out int upChannels);
        _upsampleBias = w.Vector(Prefix + "mask_predictor.conv5_mask.bias", upChannels);
        _logits = ConvUnit.WithBias(w, Prefix + "mask_predictor.mask_fcn_logits", upChannels, 1, relu: false);
    }

    /// <summary>Moves the head's weights to <paramref name="device"/>: the levels given to <see cref="Forward"/> must be there.</summary>
    public void MoveTo(Device device)
    {
        foreach (var conv in _convs.Append(_logits)) conv.MoveTo(device);
        _upsample.MoveTo(device);
        _upsampleBias.MoveTo(device);
    }

    /// <summary>P2..P5 and the detections (resized image of height <paramref name="imageH"/>) -> probabilities [D, 28, 28] on the host.</summary>
    public float[] Forward(IReadOnlyList<Tensor> levels, Detections detections, int imageH)
    {
        if (detections.Count == 0) return [];
        var x = _pool.Forward(levels, detections.Boxes, imageH);
        foreach (var conv in _convs)
        {
            var next = conv.Forward(x);
            x.Dispose();
            x = next;
        }
        using (x)
        using (var up = Ops.ConvTranspose2d(x, _upsample, new ConvTranspose2dAttrs { Stride = 2 }))
        using (var biased = Ops.Add(up, _upsampleBias))
        using (var relu = Ops.Relu(biased))
        using (var logits = _logits.Forward(relu))
        {
            int size = logits.Shape[1], classes = logits.Shape[3];
            float[] all = logits.ToArray<float>();
            var probabilities = new float[detections.Count * size * size];
            for (int d = 0; d < detections.Count; d++)
                for (int p = 0; p < size * size; p++)
                    probabilities[d * size * size + p] = 1f / (1f + MathF.Exp(-all[(d * size * size + p) * classes + detections.Labels[d]]));
            return probabilities;
        }
    }
}
