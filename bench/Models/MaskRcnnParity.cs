using System.Globalization;
using System.Text;
using NeuralCore.Layers.Import;
using NeuralCore.Layers.Models.MaskRcnn;
using NeuralCore.Tensors;

namespace NeuralCore.Bench.Models;

/// <summary>
/// Our full-size Mask R-CNN detections against torchvision's (torchvision.npz of bench/Models/maskrcnn_full_size.py):
/// boxes within 0.5 px, equal labels, scores within 1e-3, mask IoU at least 0.99; and, because IoU alone cannot say
/// whether a mismatch is a bug, the probabilities before the 0.5 threshold: the mask head's 28x28 maps and the pasted
/// full-image maps, end to end and stage by stage (our mask head on torchvision's boxes; our paste of torchvision's maps
/// into torchvision's boxes), with the pixels that flip sorted by how far torchvision's probability is from 0.5.
/// </summary>
public static class MaskRcnnParity
{
    private const double BoxTolerance = 0.5, ScoreTolerance = 1e-3, IouTarget = 0.99;

    /// <summary>The report, Markdown: the verdict line first, then the per-detection table and the stage checks.</summary>
    public static string Report(string dir, Tensor image, IReadOnlyList<Instance> ours)
    {
        var theirs = Npz.Read(Path.Combine(dir, "torchvision.npz")).ToDictionary(t => t.Name);
        int height = image.Shape[1], width = image.Shape[2], pixels = height * width;
        float[] boxes = theirs["boxes"].ToFloat32(), scores = theirs["scores"].ToFloat32(), pasted = theirs["pasted"].ToFloat32();
        int[] labels = theirs["labels"].ToFloat32().Select(v => (int)v).ToArray();
        if (ours.Count != scores.Length)
            return $"MISMATCH: {ours.Count} detections, torchvision {scores.Length}\n\n" + StageChecks(dir, image, theirs, labels, scores, boxes);

        var text = new StringBuilder();
        text.AppendLine("| # | label | score | score err | torchvision box (x1, y1, x2, y2) | box err px | mask px (theirs) | IoU | flipped px | of them \\|p-0.5\\| < 1e-3 | max \\|dp\\| pasted |");
        text.AppendLine("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        double boxError = 0, scoreError = 0, worstIou = 1, worstDp = 0;
        int labelMismatches = 0;
        long flippedAll = 0, nearHalfAll = 0;
        for (int d = 0; d < ours.Count; d++)
        {
            var o = ours[d];
            double box = new[] { o.X1 - boxes[d * 4], o.Y1 - boxes[d * 4 + 1], o.X2 - boxes[d * 4 + 2], o.Y2 - boxes[d * 4 + 3] }.Max(e => Math.Abs((double)e));
            boxError = Math.Max(boxError, box);
            scoreError = Math.Max(scoreError, Math.Abs(o.Score - scores[d]));
            if (o.Label != labels[d]) labelMismatches++;
            var m = MaskMatch.Of(o.Mask, pasted.AsSpan(d * pixels, pixels));
            worstIou = Math.Min(worstIou, m.Iou);
            worstDp = Math.Max(worstDp, m.MaxDifference);
            flippedAll += m.Flipped;
            nearHalfAll += m.FlippedNearHalf;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {d} | {labels[d]} | {scores[d]:F4} | {Math.Abs(o.Score - scores[d]):G3} | {boxes[d * 4]:F2}, {boxes[d * 4 + 1]:F2}, {boxes[d * 4 + 2]:F2}, {boxes[d * 4 + 3]:F2} | {box:F3} | {m.TheirPixels} | {m.Iou:F4} | {m.Flipped} | {m.FlippedNearHalf} | {m.MaxDifference:G3} |"));
        }
        bool pass = boxError <= BoxTolerance && scoreError <= ScoreTolerance && labelMismatches == 0 && worstIou >= IouTarget;
        string verdict = string.Create(CultureInfo.InvariantCulture,
            $"{(pass ? "MATCH" : "MISMATCH")}: {ours.Count} detections, max box error {boxError:G3} px, max score error {scoreError:G3}, label mismatches {labelMismatches}, worst mask IoU {worstIou:F4}; pasted probabilities max |dp| {worstDp:G3}, {flippedAll} pixels flipped, {nearHalfAll} of them with torchvision's p within 1e-3 of 0.5");
        return verdict + "\n\n" + text + "\n" + StageChecks(dir, image, theirs, labels, scores, boxes);
    }

    /// <summary>
    /// Each stage alone on torchvision's inputs: our transform's batch (normalised, resized, padded) against
    /// torchvision's; then, on torchvision's batch through our backbone and FPN (which the twin checks), our proposals
    /// against torchvision's, our box head fed torchvision's proposals and fed ours (all of our model but the
    /// transform and the mask branch), our mask head fed torchvision's pooled boxes,
    /// and our paste fed torchvision's 28x28 maps and final boxes.
    /// </summary>
    private static string StageChecks(string dir, Tensor image, Dictionary<string, RawTensor> theirs, int[] labels, float[] scores, float[] boxes)
    {
        using var scope = TensorScope.Begin();
        int height = image.Shape[1], width = image.Shape[2], pixels = height * width, count = scores.Length;
        float[] probabilities = theirs["mask_probs"].ToFloat32(), pasted = theirs["pasted"].ToFloat32();
        var weights = MaskRcnnWeights.Read(Path.Combine(dir, "maskrcnn_random.pth"));
        var body = new ResNetBackbone(weights);
        var fpn = new FeaturePyramid(weights, body.OutChannels);
        var (batch, h, w) = new MaskRcnnTransform().Apply(image);
        var theirBatch = theirs.GetValueOrDefault("batch") ?? throw new InvalidDataException(
            $"{Path.Combine(dir, "torchvision.npz")}: no 'batch' (torchvision's transform output), which the stage checks compare; remake the folder with bench/Models/maskrcnn_full_size.py");
        int[] theirShape = theirBatch.Shape.Select(s => (int)s).ToArray();
        var resized = theirs["resized_size"].ToFloat32();
        string transformError = batch.Shape.ToArray().SequenceEqual(theirShape) && (h, w) == ((int)resized[0], (int)resized[1])
            ? $"{h}x{w} padded to {theirShape[1]}x{theirShape[2]} as torchvision, max |d| {MaxDifference(batch.ToArray<float>(), theirBatch.ToFloat32()):G3}"
            : $"ours {h}x{w} padded to {batch.Describe()}, torchvision {resized[0]}x{resized[1]} padded to {theirBatch.ShapeText}";
        batch = Tensor.FromArray(theirBatch.ToFloat32(), theirShape);
        var levels = fpn.Forward(body.Forward(batch));
        float[] theirProposals = theirs["proposals"].ToFloat32();
        var proposals = new RegionProposalNetwork(weights, fpn.Channels, AnchorGrid.Default, new RpnSettings())
            .Forward(levels, batch.Shape[1], batch.Shape[2], h, w).ToArray<float>();
        string proposalError = proposals.Length == theirProposals.Length
            ? $"max {MaxDifference(proposals, theirProposals):G3} px over {proposals.Length / 4} boxes"
            : $"{proposals.Length / 4} boxes, torchvision {theirProposals.Length / 4}";
        var boxHead = new BoxHead(weights, fpn.Channels, new BoxHeadSettings());
        var chained = boxHead.Forward(levels[..4], proposals, h, w);
        string chainedError = chained.Count == count
            ? $"boxes max {MaxDifference(chained.Boxes, theirs["mask_boxes"].ToFloat32()):G3} px, scores max {MaxDifference(chained.Scores, scores):G3}, labels differ at {chained.Labels.Zip(labels).Count(p => p.First != p.Second)} ranks"
            : $"{chained.Count} detections, torchvision {count}";
        var detections = boxHead.Forward(levels[..4], theirProposals, h, w);
        string boxHeadError = detections.Count == count
            ? $"boxes max {MaxDifference(detections.Boxes, theirs["mask_boxes"].ToFloat32()):G3} px, scores max {MaxDifference(detections.Scores, scores):G3}, labels {(detections.Labels.SequenceEqual(labels) ? "equal" : "differ")}"
            : $"{detections.Count} detections, torchvision {count}";
        var head = new MaskHead(weights, fpn.Channels).Forward(levels[..4], new Detections(theirs["mask_boxes"].ToFloat32(), scores, labels), h);
        double headError = MaxDifference(head, probabilities);

        var ourPaste = MaskPaste.Paste(probabilities, boxes, height, width);
        double pasteError = 0, worstIou = 1;
        long flipped = 0;
        for (int d = 0; d < count; d++)
        {
            var m = MaskMatch.Of(ourPaste[d], pasted.AsSpan(d * pixels, pixels));
            pasteError = Math.Max(pasteError, m.MaxDifference);
            worstIou = Math.Min(worstIou, m.Iou);
            flipped += m.Flipped;
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"Stage by stage on torchvision's inputs: transform {transformError}; on torchvision's batch: proposals {proposalError}; box head on torchvision's proposals: {boxHeadError}; box head on our proposals: {chainedError}; mask head on torchvision's boxes max |dp| {headError:G3} over {count}x28x28; paste (torchvision's 28x28 maps and boxes) max |dp| {pasteError:G3}, {flipped} pixels flipped, worst IoU {worstIou:F4}");
    }

    private static double MaxDifference(float[] ours, float[] theirs) => ours.Zip(theirs, (a, b) => Math.Abs((double)a - b)).DefaultIfEmpty().Max();

    /// <summary>Two pasted probability maps of one detection compared before and after the 0.5 threshold.</summary>
    private readonly record struct MaskMatch(double Iou, long TheirPixels, long Flipped, long FlippedNearHalf, double MaxDifference)
    {
        public static MaskMatch Of(ReadOnlySpan<float> ours, ReadOnlySpan<float> theirs)
        {
            long both = 0, either = 0, their = 0, flipped = 0, nearHalf = 0;
            double maxDifference = 0;
            for (int p = 0; p < ours.Length; p++)
            {
                bool a = ours[p] > 0.5f, b = theirs[p] > 0.5f;
                if (a && b) both++;
                if (a || b) either++;
                if (b) their++;
                if (a != b)
                {
                    flipped++;
                    if (Math.Abs(theirs[p] - 0.5) < 1e-3) nearHalf++;
                }
                maxDifference = Math.Max(maxDifference, Math.Abs((double)ours[p] - theirs[p]));
            }
            return new MaskMatch(either == 0 ? 1 : both / (double)either, their, flipped, nearHalf, maxDifference);
        }
    }
}
