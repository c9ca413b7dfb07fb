using NeuralCore.Autograd;
using NeuralCore.Kernels;
using NeuralCore.Layers.Import;
using NeuralCore.Layers.Import.Torch;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Tests.Import.Torch;

/// <summary>
/// Each conversion is checked by what it is for: our own kernels, fed the converted weights and the NHWC input, must
/// reproduce what PyTorch computed (layouts.npz, from make_torch_fixtures.py) with the original weights.
/// </summary>
public class TorchLayoutsTests
{
    private static readonly IReadOnlyDictionary<string, RawTensor> Ops = TorchFixtures.Layouts();

    /// <summary>Runs our op on the NHWC input "&lt;op&gt;_x" and the converted kernel; compares with PyTorch's "&lt;op&gt;_y".</summary>
    private static void AssertOpMatches(string op, RawTensor kernel, long[] kernelShape, Func<Tensor, Tensor, Tensor> run)
    {
        Assert.Equal(kernelShape, kernel.Shape);
        using var x = TorchFixtures.ToTensor(TorchLayouts.Permute(Ops[op + "_x"], 0, 2, 3, 1));
        using var w = TorchFixtures.ToTensor(kernel);
        using var y = run(x, w);
        TorchFixtures.AssertClose(TorchLayouts.Permute(Ops[op + "_y"], 0, 2, 3, 1), y);
    }

    [Fact]
    public void Conv_weight_OIHW_becomes_HWIO() =>
        AssertOpMatches("conv", TorchLayouts.ConvWeight(Ops["conv_w"]), [3, 2, 3, 4], (x, w) => F.Conv2d(x, w, new Conv2dAttrs()));

    [Fact]
    public void Depthwise_weight_becomes_our_KH_KW_1_C_times_mult() =>
        AssertOpMatches("dw", TorchLayouts.DepthwiseWeight(Ops["dw_w"]), [3, 3, 1, 6], (x, w) => F.Conv2d(x, w, new Conv2dAttrs { Groups = 3 }));

    [Fact]
    public void Conv_transpose_weight_Cin_Cout_becomes_KH_KW_Cout_Cin() =>
        AssertOpMatches("convt", TorchLayouts.ConvTransposeWeight(Ops["convt_w"]), [3, 3, 5, 3],
            (x, w) => F.ConvTranspose2d(x, w, new ConvTranspose2dAttrs { Stride = 2 }));

    [Fact]
    public void Linear_weight_out_in_becomes_in_out()
    {
        var weight = TorchLayouts.LinearWeight(Ops["linear_w"]);
        Assert.Equal([4L, 3], weight.Shape);
        using var x = TorchFixtures.ToTensor(Ops["linear_x"]);
        using var w = TorchFixtures.ToTensor(weight);
        using var y = F.Matmul(x, w);
        TorchFixtures.AssertClose(Ops["linear_y"], y);
    }

    [Fact]
    public void Permute_moves_elements_like_numpy_transpose_and_keeps_dtype()
    {
        var bytes = Enumerable.Range(0, 24).Select(i => (byte)i).ToArray();
        var permuted = TorchLayouts.Permute(new RawTensor("t", WeightDType.U8, [2, 3, 4], bytes), 2, 0, 1);
        Assert.Equal([4L, 2, 3], permuted.Shape);
        Assert.Equal(WeightDType.U8, permuted.DType);
        // result[k, i, j] = source[i, j, k] = 12 i + 4 j + k
        Assert.Equal([0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21], permuted.Data[..12]);
    }

    [Fact]
    public void Wrong_ranks_and_grouped_weights_are_refused_by_tensor_name()
    {
        var linear = RawTensor.FromFloat32("fc.weight", [3, 4], new float[12]);
        Assert.Contains("tensor 'fc.weight': shape [3, 4] is not a conv [O, I, KH, KW] weight",
            Assert.Throws<ArgumentException>(() => TorchLayouts.ConvWeight(linear)).Message);
        var grouped = RawTensor.FromFloat32("conv.weight", [4, 2, 3, 3], new float[72]);
        Assert.Contains("2 input channels per group", Assert.Throws<ArgumentException>(() => TorchLayouts.DepthwiseWeight(grouped)).Message);
        Assert.Contains("not a permutation", Assert.Throws<ArgumentException>(() => TorchLayouts.Permute(linear, 0, 0)).Message);
    }
}
