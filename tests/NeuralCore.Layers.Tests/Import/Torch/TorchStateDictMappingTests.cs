using NeuralCore.Autograd;
using NeuralCore.Kernels;
using NeuralCore.Layers.Import;
using NeuralCore.Layers.Import.Torch;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Tests.Import.Torch;

/// <summary>
/// A torchvision-made state dict (torchvision_blocks.pth: Conv2dNormActivation, MobileNetV2's InvertedResidual,
/// ResNet's BasicBlock, FrozenBatchNorm2d, ConvTranspose2d) loaded into our twin of that network through the
/// ordinary weight loader, by order and by module name, with every tensor converted by its layer's type.
/// </summary>
public class TorchStateDictMappingTests
{
    private static readonly string FilePath = TorchFixtures.PathOf("torchvision_blocks.pth");

    /// <summary>The checkpoint without its Linear head (our layers have no Dense).</summary>
    private static WeightFileContents FileWithoutHead()
    {
        var file = WeightFile.Read(FilePath);
        return file with { Tensors = file.Tensors.Where(t => !t.Name.StartsWith("head.", StringComparison.Ordinal)).ToList() };
    }

    /// <summary>Our layers in the order TorchvisionBlocks registers its own (PyTorch's BN epsilon 1e-5).</summary>
    private static Sequential Twin()
    {
        var rng = new RandomGenerator(7);
        static BatchNorm2d Bn(string name, int channels) => new(name, channels, epsilon: 1e-5);
        return new Sequential("twin",
            new Conv2d("c0", 3, 8, 3, rng, strides: 2, padding: Padding2d.Same, useBias: false), Bn("b0", 8),
            new Conv2d("expand", 8, 16, 1, rng, useBias: false), Bn("b1", 16),
            new DepthwiseConv2d("dw", 16, 3, rng, padding: Padding2d.Same, useBias: false), Bn("b2", 16),
            new Conv2d("project", 16, 8, 1, rng, useBias: false), Bn("b3", 8),
            new Conv2d("conv1", 8, 8, 3, rng, padding: Padding2d.Same, useBias: false), Bn("bn1", 8),
            new Conv2d("conv2", 8, 8, 3, rng, padding: Padding2d.Same, useBias: false), Bn("bn2", 8),
            Bn("frozen", 8),
            new ConvTranspose2d("up", 8, 4, 3, rng, strides: 2));
    }

    /// <summary>TorchvisionBlocks.forward in NHWC: stem (conv, BN, ReLU6), inverted residual, basic block, frozen BN, up.</summary>
    private static Tensor TwinForward(Sequential twin, Tensor x)
    {
        var l = twin.Children.ToArray();
        Tensor Bn(int conv, Tensor h) => l[conv + 1].Forward(l[conv].Forward(h));
        var stem = F.Relu6(Bn(0, x));
        var expanded = F.Relu6(Bn(2, stem));
        var inverted = F.Add(stem, Bn(6, F.Relu6(Bn(4, expanded))));
        var basic = F.Relu(F.Add(inverted, Bn(10, F.Relu(Bn(8, inverted)))));
        return l[13].Forward(l[12].Forward(basic));
    }

    private static float[] Values(Module model, string path) =>
        model.Modules().Single(m => m.Path == path).Module.OwnParameters.Concat(model.Modules().Single(m => m.Path == path).Module.OwnBuffers)
            .Select(w => w.Tensor.ToArray<float>()).SelectMany(v => v).ToArray();

    private static float[] Weight(Module model, string path, string weight) =>
        model.Modules().Single(m => m.Path == path).Module.OwnParameters.Concat(model.Modules().Single(m => m.Path == path).Module.OwnBuffers)
            .Single(w => w.Name == weight).Tensor.ToArray<float>();

    private static float[] FromFile(string name, Func<RawTensor, RawTensor>? layout = null)
    {
        var tensor = FileWithoutHead().Tensors.Single(t => t.Name == name);
        return (layout?.Invoke(tensor) ?? tensor).ToFloat32();
    }

    [Fact]
    public void Pairs_by_order_and_converts_each_weight_by_its_layer_type()
    {
        var model = Twin();
        var report = KerasWeightMapper.Load(model, FileWithoutHead());

        Assert.Equal(14, report.LayersLoaded);
        Assert.Equal(6 * 1 + 7 * 4 + 2, report.TensorsLoaded); // six bias-free convs, seven BNs, the transposed conv
        Assert.Equal(FromFile("stem.0.weight", TorchLayouts.ConvWeight), Weight(model, "twin/c0", "kernel"));
        Assert.Equal(FromFile("inverted.conv.1.0.weight", TorchLayouts.DepthwiseWeight), Weight(model, "twin/dw", "depthwise_kernel"));
        Assert.Equal(FromFile("up.weight", TorchLayouts.ConvTransposeWeight), Weight(model, "twin/up", "kernel"));
        Assert.Equal(FromFile("up.bias"), Weight(model, "twin/up", "bias"));
        Assert.Equal(FromFile("basic.bn2.weight"), Weight(model, "twin/bn2", "gamma"));
        Assert.Equal(FromFile("basic.bn2.bias"), Weight(model, "twin/bn2", "beta"));
        Assert.Equal(FromFile("basic.bn2.running_mean"), Weight(model, "twin/bn2", "moving_mean"));
        Assert.Equal(FromFile("basic.bn2.running_var"), Weight(model, "twin/bn2", "moving_variance"));
        Assert.Equal(FromFile("frozen.running_var"), Weight(model, "twin/frozen", "moving_variance"));
    }

    [Fact]
    public void The_loaded_twin_computes_what_pytorch_computed()
    {
        var io = Npz.Read(TorchFixtures.PathOf("torchvision_blocks.io.npz")).ToDictionary(t => t.Name);
        var twin = Twin();
        KerasWeightMapper.Load(twin, FileWithoutHead());
        twin.Eval();

        using var x = TorchFixtures.ToTensor(TorchLayouts.Permute(io["x"], 0, 2, 3, 1));
        using var y = TwinForward(twin, x);
        TorchFixtures.AssertClose(TorchLayouts.Permute(io["y"], 0, 2, 3, 1), y);
    }

    [Fact]
    public void Pairs_by_module_name_when_the_names_agree()
    {
        // Our layer named like PyTorch's module path below the root ("stem/0" for "stem.0"); the rest by name too.
        var model = new Sequential("twin", new Sequential("stem",
            new Conv2d("0", 3, 8, 3, new RandomGenerator(1), strides: 2, padding: Padding2d.Same, useBias: false), new BatchNorm2d("1", 8)));
        var file = WeightFile.Read(FilePath);
        file = file with { Tensors = file.Tensors.Where(t => t.Name.StartsWith("stem.", StringComparison.Ordinal)).ToList() };

        var report = KerasWeightMapper.Load(model, file);

        Assert.Equal(5, report.TensorsLoaded);
        Assert.Equal(FromFile("stem.0.weight", TorchLayouts.ConvWeight), Weight(model, "twin/stem/0", "kernel"));
        Assert.Equal(FromFile("stem.1.running_mean"), Weight(model, "twin/stem/1", "moving_mean"));
    }

    [Fact]
    public void A_file_that_does_not_fit_names_what_is_unexpected_and_leaves_the_model_untouched()
    {
        var model = Twin();
        var before = Values(model, "twin/c0");
        var error = Assert.Throws<WeightImportException>(() => KerasWeightMapper.Load(model, WeightFile.Read(FilePath)));

        Assert.Contains("head.weight", error.Unexpected);
        Assert.Equal(before, Values(model, "twin/c0"));
    }

    [Fact]
    public void A_layer_type_that_does_not_fit_the_tensor_names_both()
    {
        // By order the depthwise module of the file lands on a regular conv of ours when one layer is missing.
        var model = new Sequential("twin", new DepthwiseConv2d("c0", 3, 3, new RandomGenerator(1), useBias: false));
        var file = FileWithoutHead();
        file = file with { Tensors = file.Tensors.Where(t => t.Name == "stem.0.weight").ToList() };
        var error = Assert.Throws<InvalidDataException>(() => KerasWeightMapper.Load(model, file));
        Assert.Contains(FilePath, error.Message);
        Assert.Contains("module 'stem.0' paired with layer 'twin/c0'", error.Message);
        Assert.Contains("3 input channels per group", error.Message);
    }
}
