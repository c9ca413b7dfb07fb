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

    private static Tensor ToTensor(RawTensor raw) => Tensor.FromArray(raw.ToFloat32(), new Shape(raw.Shape.Select(d => (int)d).ToArray()));

    private static Tensor Nhwc(string name) => ToTensor(TorchLayouts.Permute(Ops[name], 0, 2, 3, 1));

    private static void AssertClose(RawTensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape.Select(d => (int)d), actual.Shape.ToArray());
        var want = expected.ToFloat32();
        var got = actual.ToArray<float>();
        var scale = Math.Max(1f, want.Max(MathF.Abs));
        for (var i = 0; i < want.Length; i++)
            Assert.True(MathF.Abs(want[i] - got[i]) <= 1e-4f * scale, $"{expected.Name}[{i}]: ours {got[i]}, PyTorch {want[i]}");
    }

    [Fact]
    public void Conv_weight_OIHW_becomes_HWIO()
    {
        var kernel = TorchLayouts.ConvWeight(Ops["conv_w"]);
        Assert.Equal([3L, 2, 3, 4], kernel.Shape);
        using var y = F.Conv2d(Nhwc("conv_x"), ToTensor(kernel), new Conv2dAttrs());
        AssertClose(TorchLayouts.Permute(Ops["conv_y"], 0, 2, 3, 1), y);
    }

    [Fact]
    public void Depthwise_weight_becomes_our_KH_KW_1_C_times_mult()
    {
        var kernel = TorchLayouts.DepthwiseWeight(Ops["dw_w"]);
        Assert.Equal([3L, 3, 1, 6], kernel.Shape);
        using var y = F.Conv2d(Nhwc("dw_x"), ToTensor(kernel), new Conv2dAttrs { Groups = 3 });
        AssertClose(TorchLayouts.Permute(Ops["dw_y"], 0, 2, 3, 1), y);
    }

    [Fact]
    public void Conv_transpose_weight_Cin_Cout_becomes_KH_KW_Cout_Cin()
    {
        var kernel = TorchLayouts.ConvTransposeWeight(Ops["convt_w"]);
        Assert.Equal([3L, 3, 5, 3], kernel.Shape);
        using var y = F.ConvTranspose2d(Nhwc("convt_x"), ToTensor(kernel), new ConvTranspose2dAttrs { Stride = 2 });
        AssertClose(TorchLayouts.Permute(Ops["convt_y"], 0, 2, 3, 1), y);
    }

    [Fact]
    public void Linear_weight_out_in_becomes_in_out()
    {
        var weight = TorchLayouts.LinearWeight(Ops["linear_w"]);
        Assert.Equal([4L, 3], weight.Shape);
        using var y = F.Matmul(ToTensor(Ops["linear_x"]), ToTensor(weight));
        AssertClose(Ops["linear_y"], y);
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
