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

    /// <summary>
    /// P2..P6 of a one-image batch of <paramref name="batchH"/> x <paramref name="batchW"/> whose image is
    /// <paramref name="imageH"/> x <paramref name="imageW"/> -> proposals [P, 4] (float32, on the host), best first.
    /// </summary>
    public Tensor Forward(IReadOnlyList<Tensor> levels, int batchH, int batchW, int imageH, int imageW)
    {
        var boxes = new List<float>();
        var scores = new List<float>();
        var levelOf = new List<int>();
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
            using var selectedDeltas = Tensor.FromArray(Gather(deltas, top), [top.Length, 4]);
            using var selectedAnchors = Tensor.FromArray(Gather(anchors, top), [top.Length, 4]);
            using var decodedT = Ops.BoxDecode(selectedDeltas, selectedAnchors, BoxCoderAttrs.Rpn);
            float[] decoded = decodedT.ToArray<float>();
            for (int i = 0; i < top.Length; i++)
            {
                float x1 = Math.Clamp(decoded[i * 4], 0, imageW), y1 = Math.Clamp(decoded[i * 4 + 1], 0, imageH);
                float x2 = Math.Clamp(decoded[i * 4 + 2], 0, imageW), y2 = Math.Clamp(decoded[i * 4 + 3], 0, imageH);
                float score = 1f / (1f + MathF.Exp(-logits[top[i]]));
                if (x2 - x1 < _settings.MinSize || y2 - y1 < _settings.MinSize || score < _settings.ScoreThreshold) continue;
                boxes.AddRange([x1, y1, x2, y2]);
                scores.Add(score);
                levelOf.Add(l);
            }
        }
        using var boxesT = Tensor.FromArray(boxes.ToArray(), [scores.Count, 4]);
        using var scoresT = Tensor.FromArray(scores.ToArray(), [scores.Count]);
        using var levelsT = Tensor.FromArray(levelOf.ToArray(), [scores.Count]);
        using var keepT = Ops.BatchedNms(boxesT, scoresT, levelsT, _settings.NmsThreshold);
        int[] keep = keepT.ToArray<int>();
        int kept = Math.Min(keep.Length, _settings.PostNmsTopN);
        return Tensor.FromArray(Gather(boxes.ToArray(), keep[..kept]), [kept, 4]);
    }

    /// <summary>The indices of the <paramref name="k"/> largest values, largest first (equal values by index).</summary>
    internal static int[] TopIndices(float[] values, int k)
    {
        var order = Enumerable.Range(0, values.Length).ToArray();
        Array.Sort(order, (a, b) => values[b].CompareTo(values[a]) is var c && c != 0 ? c : a.CompareTo(b));
        return order[..k];
    }

    /// <summary>Rows <paramref name="rows"/> of a [*, 4] array.</summary>
    internal static float[] Gather(float[] source, int[] rows)
    {
        var result = new float[rows.Length * 4];
        for (int i = 0; i < rows.Length; i++) Array.Copy(source, rows[i] * 4, result, i * 4, 4);
        return result;
    }
}
