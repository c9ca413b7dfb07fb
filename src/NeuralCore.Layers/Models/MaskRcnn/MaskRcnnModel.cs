using NeuralCore.Tensors;

namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>One instance in the original image: box (x1, y1, x2, y2), COCO category slot, score and mask probabilities [H, W].</summary>
public sealed record Instance(float X1, float Y1, float X2, float Y2, int Label, float Score, float[] Mask);

/// <summary>The inference settings of the whole model; the defaults are maskrcnn_resnet50_fpn's.</summary>
public sealed record MaskRcnnSettings
{
    public MaskRcnnTransform Transform { get; init; } = new();

    public AnchorGrid Anchors { get; init; } = AnchorGrid.Default;

    public RpnSettings Rpn { get; init; } = new();

    public BoxHeadSettings BoxHead { get; init; } = new();
}

/// <summary>
/// torchvision's maskrcnn_resnet50_fpn (v1) for inference, on our ops: transform, ResNet-50 + FPN, RPN, box head,
/// mask head, paste. Built from a state dict; every tensor of the file must be used and fit (one error otherwise).
/// The weights are read and folded on the host and then live on the model's device, where the convolutions, RoIAlign
/// and the heads run; the small steps between stages (top-k, level assignment, NMS, the final lists) run on the host.
/// </summary>
public sealed class MaskRcnnModel
{
    private readonly MaskRcnnSettings _settings;
    private readonly ResNetBackbone _body;
    private readonly FeaturePyramid _fpn;
    private readonly RegionProposalNetwork _rpn;
    private readonly BoxHead _boxes;
    private readonly MaskHead _masks;

    public MaskRcnnModel(MaskRcnnWeights weights, MaskRcnnSettings? settings = null, Device? device = null)
    {
        _settings = settings ?? new MaskRcnnSettings();
        _body = new ResNetBackbone(weights);
        _fpn = new FeaturePyramid(weights, _body.OutChannels);
        _rpn = new RegionProposalNetwork(weights, _fpn.Channels, _settings.Anchors, _settings.Rpn);
        _boxes = new BoxHead(weights, _fpn.Channels, _settings.BoxHead);
        _masks = new MaskHead(weights, _fpn.Channels);
        weights.ThrowIfIncomplete();
        Device = device ?? Device.Cpu;
        _body.MoveTo(Device);
        _fpn.MoveTo(Device);
        _rpn.MoveTo(Device);
        _boxes.MoveTo(Device);
        _masks.MoveTo(Device);
    }

    /// <summary>Where the weights live and the model runs.</summary>
    public Device Device { get; }

    /// <summary>A torchvision Mask R-CNN .pth (e.g. maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth).</summary>
    public static MaskRcnnModel Load(string path, MaskRcnnSettings? settings = null, Device? device = null) =>
        new(MaskRcnnWeights.Read(path), settings, device);

    /// <summary>image [1, H, W, 3] RGB in [0, 1], on any device -> instances, best first, in the image's pixels.</summary>
    public IReadOnlyList<Instance> Detect(Tensor image)
    {
        using var scope = TensorScope.Begin();
        int height = image.Shape[1], width = image.Shape[2];
        using var onDevice = image.To(Device);
        var (batch, h, w) = _settings.Transform.Apply(onDevice);
        var levels = _fpn.Forward(_body.Forward(batch));
        using var proposals = _rpn.Forward(levels, batch.Shape[1], batch.Shape[2], h, w);
        var detections = _boxes.Forward(levels[..4], proposals.ToArray<float>(), h, w);
        var probabilities = _masks.Forward(levels[..4], detections, h);
        var boxes = MaskPaste.ToOriginal(detections.Boxes, h, w, height, width);
        var masks = MaskPaste.Paste(probabilities, boxes, height, width);
        return Enumerable.Range(0, detections.Count)
            .Select(d => new Instance(boxes[d * 4], boxes[d * 4 + 1], boxes[d * 4 + 2], boxes[d * 4 + 3], detections.Labels[d],
                detections.Scores[d], masks[d]))
            .ToList();
    }
}
