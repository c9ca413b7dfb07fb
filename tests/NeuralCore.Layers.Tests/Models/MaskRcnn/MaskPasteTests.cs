using NeuralCore.Layers.Models.MaskRcnn;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Tests.Models.MaskRcnn;

/// <summary>
/// Our paste against torchvision's paste_masks_in_image on the cases of Fixtures/maskrcnn_paste.npz (written by
/// make_maskrcnn_twin.py): saturated maps in boxes thinner than a pixel, across the borders and larger than the image,
/// where pixels land exactly on 0.5 and only the same rounding gives the same side of the threshold. Hence exact.
/// </summary>
public class MaskPasteTests
{
    [Fact]
    public void PastedProbabilitiesEqualTorchvisionsBitForBitOnThinSaturatedAndBorderBoxes()
    {
        using var scope = TensorScope.Begin();
        var size = MaskRcnnTwin.PasteCase("image_size").ToArray<float>();
        int height = (int)size[0], width = (int)size[1];
        var expected = MaskRcnnTwin.PasteCase("pasted");
        int count = expected.Shape[0];
        var pasted = MaskPaste.Paste(MaskRcnnTwin.PasteCase("probs").ToArray<float>(), MaskRcnnTwin.PasteCase("boxes").ToArray<float>(), height, width)
            .SelectMany(m => m).ToArray();
        Assert.True(expected.ToArray<float>().Count(p => p == 0.5f) > 0, "the cases must contain pixels exactly on the threshold");
        MaskRcnnTwin.Close("pasted", expected, Tensor.FromArray(pasted, [count, height, width]), 0, 0);
        MaskRcnnTwin.Close("binary", MaskRcnnTwin.PasteCase("binary"), Tensor.FromArray(pasted.Select(p => p > 0.5f ? 1f : 0f).ToArray(), [count, height, width]), 0, 0);
    }
}
