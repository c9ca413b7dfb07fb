using NeuralCore.Layers.Import;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Tests.Import;

/// <summary>
/// KerasWeightMapper against the Keras fixture files (make_weight_fixtures.py) and small stand-in layers: pairing by
/// name and by order, partial (encoder-only) files, Keras layouts, and that a bad file changes nothing.
/// </summary>
public class KerasWeightMapperTests
{
    private const string SmallKerasFile = "keras2_h5py2_fixedstr.h5"; // conv2d (3,3,2,4)+bias, batch_normalization(4), dense (4,2)+bias

    private static Sequential SmallModel(string conv = "conv2d", string bn = "batch_normalization", string dense = "dense") =>
        new("model", TestLayer.Conv(conv, 3, 3, 2, 4), TestLayer.BatchNorm(bn, 4), TestLayer.Dense(dense, 4, 2));

    [Fact]
    public void Matching_names_load_every_weight_bit_exactly_by_name()
    {
        var model = SmallModel();
        var report = KerasWeightMapper.Load(model, WeightFixtures.PathOf(SmallKerasFile));

        Assert.Equal(MatchRule.ByName, report.Rule);
        Assert.Equal(8, report.TensorsLoaded);
        Assert.Equal(3, report.LayersLoaded);
        Assert.Equal(["input_1", "activation"], report.IgnoredFileLayers);
        Assert.Empty(report.SkippedModelLayers);
        AssertModelHoldsFixture(model, SmallKerasFile, ["conv2d", "batch_normalization", "dense"]);
    }

    [Fact]
    public void Different_names_with_the_same_structure_load_by_order()
    {
        var model = SmallModel("c1", "bn1", "fc");
        var report = KerasWeightMapper.Load(model, WeightFixtures.PathOf(SmallKerasFile));

        Assert.Equal(MatchRule.ByOrder, report.Rule);
        Assert.Equal(8, report.TensorsLoaded);
        AssertModelHoldsFixture(model, SmallKerasFile, ["conv2d", "batch_normalization", "dense"]);
    }

    [Fact]
    public void By_name_with_unknown_names_lists_missing_with_closest_file_names_and_unexpected()
    {
        var model = SmallModel(conv: "conv2d_renamed");
        var before = Snapshot(model);
        var error = Assert.Throws<WeightImportException>(() =>
            KerasWeightMapper.Load(model, WeightFixtures.PathOf(SmallKerasFile), MatchMode.ByName));

        Assert.Equal(["model/conv2d_renamed/kernel", "model/conv2d_renamed/bias"], error.Missing);
        Assert.Equal(["conv2d/conv2d/kernel:0", "conv2d/conv2d/bias:0"], error.Unexpected);
        Assert.Empty(error.Misshaped);
        Assert.Contains(WeightFixtures.PathOf(SmallKerasFile), error.Message);
        Assert.Contains("missing model/conv2d_renamed/kernel [3, 3, 2, 4] (closest in file: 'conv2d/conv2d/kernel:0'", error.Message);
        AssertUnchanged(before, model);
    }

    [Fact]
    public void A_wrong_file_reports_every_problem_at_once_and_leaves_the_model_untouched()
    {
        var model = new Sequential("model", TestLayer.Conv("conv2d", 3, 3, 2, 8), TestLayer.BatchNorm("batch_normalization", 8),
            TestLayer.Dense("dense", 8, 2), TestLayer.Dense("head", 2, 2));
        var before = Snapshot(model);
        var error = Assert.Throws<WeightImportException>(() => KerasWeightMapper.Load(model, WeightFixtures.PathOf(SmallKerasFile)));

        Assert.Contains("by layer name", error.Message.Split('\n')[0]);
        Assert.Equal(["model/conv2d/kernel", "model/conv2d/bias", "model/batch_normalization/gamma", "model/batch_normalization/beta",
            "model/batch_normalization/moving_mean", "model/batch_normalization/moving_variance", "model/dense/kernel"], error.Misshaped);
        Assert.Contains("model/conv2d/kernel: model expects [3, 3, 2, 8], file 'conv2d/conv2d/kernel:0' has [3, 3, 2, 4]", error.Message);
        Assert.Equal(["model/head/kernel", "model/head/bias"], error.Missing);
        Assert.Empty(error.Unexpected);
        AssertUnchanged(before, model);
    }

    [Fact]
    public void By_order_reports_layer_and_weight_count_mismatches_and_the_unpaired_file_layers()
    {
        // mobilenetv2_2018: Conv1 (3,3,2,4) without bias, bn_Conv1 (4), mobl1_conv_1_expand (1,1,4,6), bn (6).
        var model = SmallModel("c1", "bn1", "fc");
        var before = Snapshot(model);
        var error = Assert.Throws<WeightImportException>(() =>
            KerasWeightMapper.Load(model, WeightFixtures.PathOf("mobilenetv2_2018.h5")));

        Assert.Contains("by layer order", error.Message.Split('\n')[0]);
        Assert.Contains("the file has 4 layers with weights, the model 3", error.Problems);
        Assert.Contains("layer model/c1 has 2 weights (kernel, bias), file layer 'Conv1' has 1 (Conv1_1/kernel:0)", error.Problems);
        Assert.Contains(error.Problems, p => p.StartsWith("layer model/fc has 2 weights", StringComparison.Ordinal));
        Assert.Equal(4, error.Unexpected.Count);
        Assert.All(error.Unexpected, name => Assert.StartsWith("bn1_conv_1_bn_expand/", name));
        AssertUnchanged(before, model);
    }

    [Fact]
    public void Layer_names_with_slashes_match_the_module_path_below_the_root()
    {
        // densenet_2017: conv1/conv, conv1/bn, conv2_block1_1/bn, conv2_block1_1/conv; two modules are named "conv".
        var model = new Sequential("densenet",
            new Sequential("conv1", TestLayer.Conv("conv", 3, 3, 2, 4, bias: false), TestLayer.BatchNorm("bn", 4)),
            new Sequential("conv2_block1_1", TestLayer.BatchNorm("bn", 4), TestLayer.Conv("conv", 1, 1, 4, 8, bias: false)));
        var report = KerasWeightMapper.Load(model, WeightFixtures.PathOf("densenet_2017.h5"), MatchMode.ByName);

        Assert.Equal(10, report.TensorsLoaded);
        AssertModelHoldsFixture(model, "densenet_2017.h5", ["conv1/conv", "conv1/bn", "conv2_block1_1/bn", "conv2_block1_1/conv"]);
    }

    [Fact]
    public void Keras3_files_match_by_layer_name_whatever_their_alphabetical_order()
    {
        var twelveScalars = Enumerable.Range(0, 12).Select(i => ($"w{i}", new Shape(1))).ToArray();
        var model = new Sequential("model",
            TestLayer.Conv("conv2d", 3, 3, 2, 4), TestLayer.BatchNorm("batch_normalization", 4), TestLayer.Conv("conv2d_1", 3, 3, 4, 4),
            new Sequential("functional", TestLayer.Dense("dense", 4, 3)), new TestLayer("dense_big", 1, twelveScalars));
        var report = KerasWeightMapper.Load(model, WeightFixtures.PathOf("keras3.weights.h5"));

        Assert.Equal(MatchRule.ByName, report.Rule);
        Assert.Equal(22, report.TensorsLoaded);
        AssertModelHoldsFixture(model, "keras3.weights.h5",
            ["layers/conv2d", "layers/batch_normalization", "layers/conv2d_1", "layers/functional/layers/dense", "layers/dense_big"]);
        // By order, Keras 3 pairs by class counters: a nested model's layers and stand-ins without a Keras class cannot be placed.
        var error = Assert.Throws<WeightImportException>(() => KerasWeightMapper.Load(model, WeightFixtures.PathOf("keras3.weights.h5"), MatchMode.ByOrder));
        Assert.Contains("by Keras 3 layer order (class counters)", error.Message.Split('\n')[0]);
        Assert.Contains(error.Problems, p => p.StartsWith("file layer 'layers/functional/layers/dense' belongs to a nested model", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("model layer model/conv2d (TestLayer) has no Keras class", StringComparison.Ordinal));
    }

    [Fact]
    public void Keras3_layers_load_in_model_order_recovered_from_the_class_counters()
    {
        // keras3_class_counters.weights.h5 (h5py): 12 conv2d, 3 batch_normalization, 1 depthwise_conv2d, listed alphabetically.
        const string fixture = "keras3_class_counters.weights.h5";
        var rng = new RandomGenerator(3);
        Conv2d Conv(string name) => new(name, 2, 2, 1, rng);
        List<Module> Layers()
        {
            var layers = new List<Module> { Conv("stem"), new BatchNorm2d("stem_bn", 2), new ReLU6("stem_relu"), Conv("expand"),
                new DepthwiseConv2d("dw", 2, 3, rng, useBias: false), new BatchNorm2d("dw_bn", 2) };
            layers.AddRange(Enumerable.Range(2, 9).Select(i => (Module)Conv($"c{i}")));
            layers.AddRange([new BatchNorm2d("last_bn", 2), new ZeroPadding2d("pad", 1), Conv("head")]);
            return layers;
        }
        var model = new Sequential("model", [.. Layers()]);

        var report = KerasWeightMapper.Load(model, WeightFixtures.PathOf(fixture));

        Assert.Equal(MatchRule.ByKeras3Order, report.Rule);
        Assert.Equal(16, report.LayersLoaded);
        Assert.Equal(["layers/input_layer", "layers/re_lu", "layers/zero_padding2d"], report.IgnoredFileLayers.Order(StringComparer.Ordinal));
        AssertModelHoldsFixture(model, fixture, ["layers/conv2d", "layers/batch_normalization", "layers/conv2d_1", "layers/depthwise_conv2d",
            "layers/batch_normalization_1", .. Enumerable.Range(2, 9).Select(i => $"layers/conv2d_{i}"), "layers/batch_normalization_2", "layers/conv2d_11"]);

        // One Conv2D too many in the model: the error names the class whose counts differ, and nothing is loaded.
        var longer = new Sequential("model", [.. Layers(), Conv("extra")]);
        var before = Snapshot(longer);
        var error = Assert.Throws<WeightImportException>(() => KerasWeightMapper.Load(longer, WeightFixtures.PathOf(fixture)));
        Assert.Equal(["the file has 12 conv2d layers with weights, the model 13"], error.Problems);
        Assert.Equal(["model/extra/kernel", "model/extra/bias"], error.Missing);
        AssertUnchanged(before, longer);
    }

    [Fact]
    public void An_encoder_only_file_loads_into_a_full_model_when_partial_loading_is_allowed()
    {
        var model = new Sequential("unet", new Sequential("encoder", SmallModel().Children.ToArray()),
            new Sequential("decoder", TestLayer.Conv("decoder_conv", 3, 3, 4, 2, seed: 7)));
        var decoderBefore = model.NamedParameters().Where(p => p.Name.Contains("decoder")).Select(p => p.Tensor.ToArray<float>()).ToList();

        var error = Assert.Throws<WeightImportException>(() => KerasWeightMapper.Load(model, WeightFixtures.PathOf(SmallKerasFile)));
        Assert.Equal(["unet/decoder/decoder_conv/kernel", "unet/decoder/decoder_conv/bias"], error.Missing);
        Assert.Empty(error.Unexpected);

        var report = KerasWeightMapper.Load(model, WeightFixtures.PathOf(SmallKerasFile), allowPartial: true);
        Assert.Equal(MatchRule.ByName, report.Rule);
        Assert.Equal(["unet/decoder/decoder_conv"], report.SkippedModelLayers);
        AssertModelHoldsFixture(model.Children[0], SmallKerasFile, ["conv2d", "batch_normalization", "dense"]);
        Assert.Equal(decoderBefore, model.NamedParameters().Where(p => p.Name.Contains("decoder")).Select(p => p.Tensor.ToArray<float>()));
    }

    [Fact]
    public void Layouts_convert_on_export_and_import_and_shapes_are_checked_in_keras_layout()
    {
        static Sequential Mobile(ulong seed) => new("mobile", new TestDepthwise("expanded_conv_depthwise", 3, 4, seed), TestLayer.BatchNorm("bn", 4, seed));
        var source = Mobile(1);
        var exported = KerasWeightMapper.Export(source);
        Assert.Equal([3L, 3, 4, 1], exported[0].Weights[0].Shape);
        Assert.Equal("expanded_conv_depthwise/depthwise_kernel:0", exported[0].Weights[0].Name);

        var target = Mobile(2);
        KerasWeightMapper.Load(target, new KerasWeightFile(exported, KerasWeightFile.FormatKeras2), "exported");
        Assert.Equal(Snapshot(source), Snapshot(target));

        var ourLayout = exported[0].Weights[0] with { Shape = [3, 3, 1, 4] };
        var wrong = new KerasWeightFile([new KerasLayerWeights("expanded_conv_depthwise", [ourLayout]), exported[1]], KerasWeightFile.FormatKeras2);
        var error = Assert.Throws<WeightImportException>(() => KerasWeightMapper.Load(Mobile(3), wrong, "wrong.h5"));
        Assert.Equal(["mobile/expanded_conv_depthwise/depthwise_kernel"], error.Misshaped);
        Assert.Contains("model expects [3, 3, 4, 1] (Keras layout)", error.Message);
    }

    [Fact]
    public void Flat_files_load_by_full_name_or_by_keras_layer_name()
    {
        var folder = Directory.CreateTempSubdirectory("neuralcore-mapper-").FullName;
        try
        {
            var source = SmallModel();
            var fullNames = source.NamedParameters().Concat(source.NamedBuffers())
                .Select(p => RawTensor.FromFloat32(p.Name, p.Tensor.Shape.Select(d => (long)d).ToArray(), p.Tensor.ToArray<float>())).ToList();
            var npz = Path.Combine(folder, "native.npz");
            Npz.Write(npz, fullNames, compressed: false);
            var target = new Sequential("model", TestLayer.Conv("conv2d", 3, 3, 2, 4, seed: 5), TestLayer.BatchNorm("batch_normalization", 4, 5), TestLayer.Dense("dense", 4, 2, 5));
            Assert.Equal(MatchRule.ByFullName, KerasWeightMapper.Load(target, npz).Rule);
            Assert.Equal(Snapshot(source), Snapshot(target));

            // What `petseg weights convert x.h5 y.safetensors` writes: <layer>/<keras weight name>.
            var converted = Path.Combine(folder, "converted.safetensors");
            WeightFile.Write(converted, WeightFile.Read(WeightFixtures.PathOf(SmallKerasFile)).Tensors);
            var report = KerasWeightMapper.Load(target, converted);
            Assert.Equal(MatchRule.ByName, report.Rule);
            AssertModelHoldsFixture(target, SmallKerasFile, ["conv2d", "batch_normalization", "dense"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_flat_file_listing_trainable_weights_first_still_loads_each_weight_by_its_name()
    {
        // {w.name: w for w in model.trainable_weights + model.non_trainable_weights}: the BN statistics come last.
        var tensors = WeightFile.Read(WeightFixtures.PathOf(SmallKerasFile)).Tensors;
        var statistics = tensors.Where(t => t.Name.Contains("moving_", StringComparison.Ordinal)).ToList();
        var path = WeightFixtures.TempPath(".npz");
        try
        {
            Npz.Write(path, [.. tensors.Except(statistics), .. statistics.AsEnumerable().Reverse()], compressed: false);
            var model = SmallModel();
            Assert.Equal(MatchRule.ByName, KerasWeightMapper.Load(model, path).Rule);
            AssertModelHoldsFixture(model, SmallKerasFile, ["conv2d", "batch_normalization", "dense"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The model's weighted layers, in order, hold the fixture's expected values of <paramref name="fileLayers"/>.</summary>
    private static void AssertModelHoldsFixture(Module model, string fixture, string[] fileLayers)
    {
        var expected = WeightFixtures.Expected(fixture);
        var modelLayers = model.Modules().Select(m => m.Module).Where(m => m.OwnParameters.Count + m.OwnBuffers.Count > 0).ToList();
        Assert.Equal(fileLayers.Length, modelLayers.Count);
        for (var layer = 0; layer < fileLayers.Length; layer++)
        {
            var values = expected.Where(t => t.Name.StartsWith(fileLayers[layer] + "::", StringComparison.Ordinal)).ToList();
            var weights = modelLayers[layer].OwnParameters.Concat(modelLayers[layer].OwnBuffers).ToList();
            Assert.Equal(values.Count, weights.Count);
            for (var i = 0; i < weights.Count; i++)
                Assert.Equal(values[i].ToFloat32(), weights[i].Tensor.ToArray<float>());
        }
    }

    internal static List<float[]> Snapshot(Module model) =>
        model.NamedParameters().Concat(model.NamedBuffers()).Select(p => p.Tensor.ToArray<float>()).ToList();

    private static void AssertUnchanged(List<float[]> before, Module model) => Assert.Equal(before, Snapshot(model));
}

/// <summary>
/// Stand-ins for real layers (written elsewhere): a module with named parameters and buffers in Keras' weight
/// order, randomly initialised from a seed so that two models with different seeds hold different values.
/// </summary>
internal class TestLayer : Module
{
    public TestLayer(string name, ulong seed, (string Name, Shape Shape)[] parameters, (string Name, Shape Shape)[]? buffers = null) : base(name)
    {
        var init = Initializer.Normal(new RandomGenerator(seed), 0, 1);
        foreach (var (parameterName, shape) in parameters) AddParameter(parameterName, shape, init);
        foreach (var (bufferName, shape) in buffers ?? []) AddBuffer(bufferName, shape, seed);
    }

    public override Tensor Forward(Tensor x) => x;

    public static TestLayer Conv(string name, int kh, int kw, int cin, int cout, bool bias = true, ulong seed = 1) =>
        new(name, seed, bias ? [("kernel", [kh, kw, cin, cout]), ("bias", [cout])] : [("kernel", [kh, kw, cin, cout])]);

    public static TestLayer Dense(string name, int cin, int cout, ulong seed = 1) =>
        new(name, seed, [("kernel", [cin, cout]), ("bias", [cout])]);

    public static TestLayer BatchNorm(string name, int channels, ulong seed = 1) =>
        new(name, seed, [("gamma", [channels]), ("beta", [channels])], [("moving_mean", [channels]), ("moving_variance", [channels])]);
}

/// <summary>A depthwise convolution stored [KH, KW, 1, C] while Keras stores (KH, KW, C, 1): same element order.</summary>
internal sealed class TestDepthwise : TestLayer, IKerasLayout
{
    private readonly Shape _kerasShape;

    public TestDepthwise(string name, int kernel, int channels, ulong seed = 1)
        : base(name, seed, [("depthwise_kernel", [kernel, kernel, 1, channels])]) =>
        _kerasShape = [kernel, kernel, channels, 1];

    public Shape KerasShape(int weightIndex) => _kerasShape;

    public void FromKeras(int weightIndex, ReadOnlySpan<float> src, Span<float> dst) => src.CopyTo(dst);

    public void ToKeras(int weightIndex, ReadOnlySpan<float> src, Span<float> dst) => src.CopyTo(dst);
}
