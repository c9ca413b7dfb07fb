using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>The box head's inference settings (maskrcnn_resnet50_fpn's values).</summary>
public sealed record BoxHeadSettings(float ScoreThreshold = 0.05f, double NmsThreshold = 0.5, int DetectionsPerImage = 100, float MinSize = 1e-2f);

/// <summary>Detections in the resized image: boxes [D, 4] as (x1, y1, x2, y2) rows, scores and labels (COCO category slots), best first.</summary>
public sealed record Detections(float[] Boxes, float[] Scores, int[] Labels)
{
    public int Count => Scores.Length;
}

/// <summary>
/// torchvision's RoIHeads box branch for inference: MultiScaleRoIAlign 7x7 (sampling 2), TwoMLPHead (fc6, fc7 with
/// ReLU), FastRCNNPredictor (class logits and per-class deltas); then softmax, decode with weights (10, 10, 5, 5), clip,
/// drop the background column, keep scores above the threshold, drop small boxes, NMS per class, keep the best D.
/// </summary>
public sealed class BoxHead
{
    private const string Prefix = "roi_heads.";

    private readonly Tensor _fc6, _fc6Bias, _fc7, _fc7Bias, _classes, _classesBias, _deltas, _deltasBias;
    private readonly MultiScaleRoiAlign _pool = new(7, 2);
    private readonly BoxHeadSettings _settings;

    public BoxHead(MaskRcnnWeights w, int channels, BoxHeadSettings settings)
    {
        // fc6 reads torchvision's NCHW flattening (c, y, x); our pooled features flatten as (y, x, c).
        _fc6 = w.LinearFromChannelsFirst(Prefix + "box_head.fc6.weight", channels, 7, out int hidden6);
        _fc6Bias = w.Vector(Prefix + "box_head.fc6.bias", hidden6);
        _fc7 = w.Linear(Prefix + "box_head.fc7.weight", hidden6, out int hidden7);
        _fc7Bias = w.Vector(Prefix + "box_head.fc7.bias", hidden7);
        _classes = w.Linear(Prefix + "box_predictor.cls_score.weight", hidden7, out int classes);
        _classesBias = w.Vector(Prefix + "box_predictor.cls_score.bias", classes);
        _deltas = w.Linear(Prefix + "box_predictor.bbox_pred.weight", hidden7, out int deltaCount);
        _deltasBias = w.Vector(Prefix + "box_predictor.bbox_pred.bias", deltaCount);
        _settings = settings;
    }

    /// <summary>Moves the FC weights to <paramref name="device"/>: the levels given to <see cref="Forward"/> must be there.</summary>
    public void MoveTo(Device device)
    {
        foreach (var t in new[] { _fc6, _fc6Bias, _fc7, _fc7Bias, _classes, _classesBias, _deltas, _deltasBias }) t.MoveTo(device);
    }

    /// <summary>P2..P5, proposals [P, 4] (host rows) in an image of <paramref name="imageH"/> x <paramref name="imageW"/> -> detections.</summary>
    public Detections Forward(IReadOnlyList<Tensor> levels, float[] proposals, int imageH, int imageW)
    {
        int k = proposals.Length / 4;
        using var pooled = _pool.Forward(levels, proposals, imageH);
        using var flat = pooled.Reshape(k, -1);
        using var h6 = Dense(flat, _fc6, _fc6Bias, relu: true);
        using var h7 = Dense(h6, _fc7, _fc7Bias, relu: true);
        using var logits = Dense(h7, _classes, _classesBias, relu: false);
        using var deltas = Dense(h7, _deltas, _deltasBias, relu: false);
        using var probabilities = Ops.Softmax(logits);
        using var proposalsT = Tensor.FromArray(proposals, [k, 4], levels[0].Device);
        using var decodedT = Ops.BoxDecode(deltas, proposalsT, BoxCoderAttrs.BoxHead);
        float[] scores = probabilities.ToArray<float>(), decoded = decodedT.ToArray<float>();
        int classes = scores.Length / Math.Max(k, 1);
        var candidates = new CandidateBoxes(imageH, imageW, _settings.MinSize);
        for (int i = 0; i < k; i++)
            for (int c = 1; c < classes; c++)
            {
                float score = scores[i * classes + c];
                if (score > _settings.ScoreThreshold) candidates.Add(decoded, (i * classes + c) * 4, score, c);
            }
        var (boxes, kept, labels) = candidates.Suppress(_settings.NmsThreshold, _settings.DetectionsPerImage);
        return new Detections(boxes, kept, labels);
    }

    private static Tensor Dense(Tensor x, Tensor w, Tensor b, bool relu)
    {
        using var product = Ops.Matmul(x, w);
        if (!relu) return Ops.Add(product, b);
        using var biased = Ops.Add(product, b);
        return Ops.Relu(biased);
    }
}
