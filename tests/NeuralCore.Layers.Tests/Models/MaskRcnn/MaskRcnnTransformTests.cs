using NeuralCore.Layers.Models.MaskRcnn;

namespace NeuralCore.Layers.Tests.Models.MaskRcnn;

/// <summary>
/// The resized size of maskrcnn_resnet50_fpn's transform (800 / 1333) for photo sizes whose float32 scale PyTorch
/// rounds twice (reciprocal of the side, then times 800): the expected sizes are torchvision 0.14's image_sizes.
/// A scale rounded once gives 799 rows for 480x640 and 800 for 375x500 and 110x110.
/// </summary>
public class MaskRcnnTransformTests
{
    [Theory]
    [InlineData(480, 640, 800, 1066)]
    [InlineData(375, 500, 799, 1066)]
    [InlineData(110, 110, 799, 799)]
    [InlineData(800, 1333, 800, 1333)]
    [InlineData(1080, 1920, 749, 1333)]
    public void ResizedSizeRoundsTheScaleAsTorchvision(int height, int width, int resizedH, int resizedW) =>
        Assert.Equal((resizedH, resizedW), new MaskRcnnTransform().ResizedSize(height, width));
}
