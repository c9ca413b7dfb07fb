using NeuralCore.Layers.Import;
using NeuralCore.Layers.Import.Torch;
using NeuralCore.Layers.Models.MaskRcnn;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Tests.Models.MaskRcnn;

/// <summary>
/// Our Mask R-CNN stage by stage against torchvision's MaskRCNN class on the scaled-down twin (see
/// <see cref="MaskRcnnTwin"/>): same weights, same photo. Tolerances: the transform 1e-6 absolute (PyTorch's
/// rounding of the bilinear resize, within a float32 ulp or two; float32 source positions, as our resize op's, end
/// 8e-6 away); the FPN features 1e-4 absolute + 1e-4 relative (about 60 convolutions deep
/// with the frozen batch norms folded into the kernels, so float32 rounding accumulates differently).
/// </summary>
public class MaskRcnnStageTests
{
    [Fact]
    public void TransformNormalisesResizesAndPadsAsTorchvision()
    {
        using var scope = TensorScope.Begin();
        var image = MaskRcnnTwin.Image();
        var (batch, height, width) = new MaskRcnnTransform(MinSize: 60, MaxSize: 120).Apply(image);
        var expectedSize = MaskRcnnTwin.Stage("image_size").ToArray<float>();
        Assert.Equal((expectedSize[0], expectedSize[1]), (height, width));
        MaskRcnnTwin.Close("transformed", batch, 1e-6, 0);
    }

    [Fact]
    public void BackboneAndFeaturePyramidMatchTorchvisionAtEveryLevel()
    {
        using var scope = TensorScope.Begin();
        var weights = MaskRcnnWeights.Read(MaskRcnnTwin.WeightsPath);
        var body = new ResNetBackbone(weights);
        var fpn = new FeaturePyramid(weights, body.OutChannels);
        var levels = fpn.Forward(body.Forward(MaskRcnnTwin.Stage("transformed")));
        string[] names = ["fpn_0", "fpn_1", "fpn_2", "fpn_3", "fpn_pool"];
        for (int i = 0; i < names.Length; i++)
            MaskRcnnTwin.Close(names[i], levels[i], 0, 1e-4);
    }

    [Fact]
    public void RegionProposalsMatchTorchvision()
    {
        using var scope = TensorScope.Begin();
        var weights = MaskRcnnWeights.Read(MaskRcnnTwin.WeightsPath);
        var rpn = new RegionProposalNetwork(weights, 16, AnchorGrid.Default, new RpnSettings());
        string[] names = ["fpn_0", "fpn_1", "fpn_2", "fpn_3", "fpn_pool"];
        var size = MaskRcnnTwin.Stage("image_size").ToArray<float>();
        var batch = MaskRcnnTwin.Stage("transformed").Shape;
        var proposals = rpn.Forward(names.Select(MaskRcnnTwin.Stage).ToArray(), batch[1], batch[2], (int)size[0], (int)size[1]);
        MaskRcnnTwin.Close("proposals", proposals, 1e-4, 1e-5);
    }

    [Fact]
    public void BoxHeadDetectionsMatchTorchvision()
    {
        using var scope = TensorScope.Begin();
        var weights = MaskRcnnWeights.Read(MaskRcnnTwin.WeightsPath);
        var head = new BoxHead(weights, 16, new BoxHeadSettings(DetectionsPerImage: 20));
        var size = MaskRcnnTwin.Stage("image_size").ToArray<float>();
        var levels = new[] { "fpn_0", "fpn_1", "fpn_2", "fpn_3" }.Select(MaskRcnnTwin.Stage).ToArray();
        var detections = head.Forward(levels, MaskRcnnTwin.Stage("proposals").ToArray<float>(), (int)size[0], (int)size[1]);
        Assert.Equal(MaskRcnnTwin.Stage("box_labels").ToArray<float>().Select(v => (int)v), detections.Labels);
        MaskRcnnTwin.Close("box_boxes", Tensor.FromArray(detections.Boxes, [detections.Count, 4]), 1e-4, 1e-5);
        MaskRcnnTwin.Close("box_scores", Tensor.FromArray(detections.Scores, [detections.Count]), 1e-5, 0);
    }

    [Fact]
    public void MaskProbabilitiesAndPastedMasksMatchTorchvision()
    {
        using var scope = TensorScope.Begin();
        var weights = MaskRcnnWeights.Read(MaskRcnnTwin.WeightsPath);
        var size = MaskRcnnTwin.Stage("image_size").ToArray<float>();
        var image = MaskRcnnTwin.Stage("image").Shape;
        var levels = new[] { "fpn_0", "fpn_1", "fpn_2", "fpn_3" }.Select(MaskRcnnTwin.Stage).ToArray();
        var boxes = MaskRcnnTwin.Stage("box_boxes").ToArray<float>();
        var detections = new Detections(boxes, MaskRcnnTwin.Stage("box_scores").ToArray<float>(),
            MaskRcnnTwin.Stage("box_labels").ToArray<float>().Select(v => (int)v).ToArray());
        var probabilities = new MaskHead(weights, 16).Forward(levels, detections, (int)size[0]);
        MaskRcnnTwin.Close("mask_probs", Tensor.FromArray(probabilities, [detections.Count, 28, 28]), 1e-5, 0);

        var original = MaskPaste.ToOriginal(boxes, (int)size[0], (int)size[1], image[0], image[1]);
        MaskRcnnTwin.Close("final_boxes", Tensor.FromArray(original, [detections.Count, 4]), 1e-4, 1e-5);
        var pasted = MaskPaste.Paste(probabilities, original, image[0], image[1]).SelectMany(m => m).ToArray();
        // The fixture stores the pasted probabilities as round(255 p): within one level, and p > 0.5 exactly.
        MaskRcnnTwin.Close("final_masks", Tensor.FromArray(pasted.Select(p => MathF.Round(p * 255)).ToArray(), [detections.Count, image[0], image[1]]), 1, 0);
        MaskRcnnTwin.Close("final_masks_binary", Tensor.FromArray(pasted.Select(p => p > 0.5f ? 1f : 0f).ToArray(), [detections.Count, image[0], image[1]]), 0, 0);
    }

    [Fact]
    public void TheWholeModelFromPhotoToInstancesMatchesTorchvision()
    {
        var settings = new MaskRcnnSettings
        {
            Transform = new MaskRcnnTransform(MinSize: 60, MaxSize: 120), BoxHead = new BoxHeadSettings(DetectionsPerImage: 20),
        };
        var model = MaskRcnnModel.Load(MaskRcnnTwin.WeightsPath, settings);
        using var image = MaskRcnnTwin.Image();
        var instances = model.Detect(image);
        Assert.Equal(MaskRcnnTwin.Stage("box_labels").ToArray<float>().Select(v => (int)v), instances.Select(i => i.Label));
        using var boxes = Tensor.FromArray(instances.SelectMany(i => new[] { i.X1, i.Y1, i.X2, i.Y2 }).ToArray(), [instances.Count, 4]);
        MaskRcnnTwin.Close("final_boxes", boxes, 1e-3, 1e-5);
        using var masks = Tensor.FromArray(instances.SelectMany(i => i.Mask.Select(p => p > 0.5f ? 1f : 0f)).ToArray(), [instances.Count, image.Shape[1], image.Shape[2]]);
        MaskRcnnTwin.Close("final_masks_binary", masks, 0, 0);
    }

    [Fact]
    public void WeightsThatAreNotAMaskRcnnStateDictGetOneErrorListingTheProblems()
    {
        var tensors = TorchCheckpoint.Read(MaskRcnnTwin.WeightsPath).Tensors
            .Where(t => t.Name != "backbone.body.layer2.0.conv2.weight")
            .Select(t => t.Name == "backbone.fpn.inner_blocks.1.0.bias" ? RawTensor.FromFloat32(t.Name, [3], [1, 2, 3]) : t)
            .Append(RawTensor.FromFloat32("classifier.weight", [1], [0]));
        var error = Assert.Throws<InvalidDataException>(() => new MaskRcnnModel(MaskRcnnWeights.From("broken.pth", tensors)));
        Assert.Contains("broken.pth", error.Message);
        Assert.Contains("missing 1: backbone.body.layer2.0.conv2.weight", error.Message);
        Assert.Contains("mis-shaped 1: backbone.fpn.inner_blocks.1.0.bias [3] (expected [16])", error.Message);
        Assert.Contains("unexpected 1: classifier.weight", error.Message);
    }
}
