using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>The RPN's inference settings (maskrcnn_resnet50_fpn's testing values).</summary>
public sealed record RpnSettings(int PreNmsTopN = 1000, int PostNmsTopN = 1000, double NmsThreshold = 0.7, float MinSize = 1e-3f, float ScoreThreshold = 0f);

/// <summary>
/// torchvision's RegionProposalNetwork for inference. A shared head on every level (3x3 conv + ReLU, 1x1 objectness
/// per anchor, 1x1 deltas per anchor); per level the top <see cref="RpnSettings.PreNmsTopN"/> anchors by objectness are
/// decoded (weights 1, 1, 1, 1), clipped to the image, small boxes dropped, and NMS runs per level (batched_nms
/// with the level as category); the first PostNmsTopN survivors by score are the proposals.
/// </summary>
public sealed class RegionProposalNetwork
{
    private const string Prefix = "rpn.head.";

    private readonly ConvUnit _conv, _objectness, _deltas;
    private readonly AnchorGrid _anchors;
    private readonly RpnSettings _settings;

    public RegionProposalNetwork(MaskRcnnWeights w, int channels, AnchorGrid anchors, RpnSettings settings)
    {
        _conv = ConvUnit.WithBias(w, Prefix + "conv.0.0", channels, 3, relu: true, Prefix + "conv");
        _objectness = ConvUnit.WithBias(w, Prefix + "cls_logits", _conv.OutChannels, 1, relu: false);
        _deltas = ConvUnit.WithBias(w, Prefix + "bbox_pred", _conv.OutChannels, 1, relu: false);
        _anchors = anchors;
        _settings = settings;
    }

    /// <summary>Moves the head's weights to <paramref name="device"/>: the levels given to <see cref="Forward"/> must be there.</summary>
    public void MoveTo(Device device)
    {
        foreach (var conv in new[] { _conv, _objectness, _deltas }) conv.MoveTo(device);
    }

    /// <summary>
    /// P2..P6 of a one-image batch of <paramref name="batchH"/> x <paramref name="batchW"/> whose image is
    /// <paramref name="imageH"/> x <paramref name="imageW"/> -> proposals [P, 4] (float32, on the host), best first.
    /// </summary>
    public Tensor Forward(IReadOnlyList<Tensor> levels, int batchH, int batchW, int imageH, int imageW)
    {
        var candidates = new CandidateBoxes(imageH, imageW, _settings.MinSize);
        for (int l = 0; l < levels.Count; l++)
        {
            var p = levels[l];
            int gridH = p.Shape[1], gridW = p.Shape[2];
            using var hidden = _conv.Forward(p);
            using var logitsT = _objectness.Forward(hidden);
            using var deltasT = _deltas.Forward(hidden);
            float[] logits = logitsT.ToArray<float>(), deltas = deltasT.ToArray<float>();
            float[] anchors = _anchors.Level(l, gridH, gridW, batchH / gridH, batchW / gridW);
            int[] top = TopIndices(logits, Math.Min(_settings.PreNmsTopN, logits.Length));
            using var selectedDeltas = Tensor.FromArray(CandidateBoxes.Gather(deltas, top), [top.Length, 4], p.Device);
            using var selectedAnchors = Tensor.FromArray(CandidateBoxes.Gather(anchors, top), [top.Length, 4], p.Device);
            using var decodedT = Ops.BoxDecode(selectedDeltas, selectedAnchors, BoxCoderAttrs.Rpn);
            float[] decoded = decodedT.ToArray<float>();
            for (int i = 0; i < top.Length; i++)
            {
                float score = 1f / (1f + MathF.Exp(-logits[top[i]]));
                if (score >= _settings.ScoreThreshold) candidates.Add(decoded, i * 4, score, l);
            }
        }
        var (boxes, _, _) = candidates.Suppress(_settings.NmsThreshold, _settings.PostNmsTopN);
        return Tensor.FromArray(boxes, [boxes.Length / 4, 4]);
    }

    /// <summary>The indices of the <paramref name="k"/> largest values, largest first (equal values by index).</summary>
    internal static int[] TopIndices(float[] values, int k)
    {
        var order = Enumerable.Range(0, values.Length).ToArray();
        Array.Sort(order, (a, b) => values[b].CompareTo(values[a]) is var c && c != 0 ? c : a.CompareTo(b));
        return order[..k];
    }
}
