using System.Runtime.CompilerServices;
using NeuralCore.Autograd;
using NeuralCore.Layers.Import;
using NeuralCore.Layers.Tests.Import;
using NeuralCore.Tensors;
using Xunit.Abstractions;

namespace NeuralCore.Layers.Tests.Models;

/// <summary>
/// The three pretrained encoders, full size, saved in each weight-file layout users bring (<see cref="KerasLayouts"/>:
/// Keras 3 .weights.h5, Keras 2 .h5 plain or chunked+gzip, NPZ with Keras 3 or Keras 2 names, compressed or not,
/// safetensors) from an encoder
/// holding <see cref="FormulaWeights"/>, then loaded into a freshly initialised one: every tensor must arrive bit-exactly,
/// and the taps must equal the Keras-semantics PyTorch twin (Fixtures/make_encoder_tap_fixtures.py, float64) within
/// 1e-3 x max(1, max |reference|).
/// </summary>
public class EncoderWeightLayoutTests(ITestOutputHelper output)
{
    private const int Size = 32;
    private const double Tolerance = 1e-3;

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var encoder in new[] { "mobilenetv2", "vgg16", "densenet121" })
            foreach (var layout in new[] { "keras3.weights.h5", "keras2.h5", "keras2-gzip.h5", "keras3-paths.npz", "keras3-paths-compressed.npz",
                         "keras2-names.npz", "keras2-names-compressed.npz", "keras2-names.safetensors" })
                cases.Add(encoder, layout);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loads_every_tensor_and_reproduces_the_keras_taps(string encoder, string layout)
    {
        var source = Create(encoder, 1);
        Assert.Equal(TensorCount(source), FormulaWeights.Fill(source));
        var path = WeightFixtures.TempPath("-" + layout);
        try
        {
            Write(source, layout, path);
            var target = Create(encoder, 2);
            var report = KerasWeightMapper.Load(target, path);
            output.WriteLine($"{encoder} {layout}: {report}");
            Assert.Empty(report.SkippedModelLayers);
            Assert.Equal(TensorCount(source), report.TensorsLoaded);
            foreach (var ((name, expected), (_, actual)) in Tensors(source).Zip(Tensors(target)))
                Assert.True(expected.ToArray<float>().AsSpan().SequenceEqual(actual.ToArray<float>()), $"{name} differs after loading {layout}");
            CheckTaps(encoder, target);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_keras3_file_of_another_encoder_names_the_class_counts_that_differ()
    {
        var path = WeightFixtures.TempPath(".weights.h5");
        try
        {
            KerasLayouts.WriteKeras3WeightsH5(Create("mobilenetv2", 1), path);
            var error = Assert.Throws<WeightImportException>(() => KerasWeightMapper.Load(Create("densenet121", 2), path));
            Assert.StartsWith($"{path}: cannot load into model 'densenet121' by Keras 3 layer order (class counters)", error.Message);
            Assert.Contains("the file has 17 depthwise_conv2d layers with weights, the model 0", error.Problems);
            Assert.Contains("the file has 52 batch_normalization layers with weights, the model 121", error.Problems);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_keras3_encoder_file_fills_the_encoder_of_a_whole_unet_and_leaves_the_decoder()
    {
        // What `petseg forward` without --encoder-only does: the decoder's conv2d_transpose and batch_normalization
        // layers come after the encoder's, so the file's class counters run out exactly at the encoder's end.
        var source = Create("mobilenetv2", 1);
        FormulaWeights.Fill(source);
        var path = WeightFixtures.TempPath(".weights.h5");
        try
        {
            KerasLayouts.WriteKeras3WeightsH5(source, path);
            var unet = ModelZoo.Create(ModelZoo.UNetMobileNetV2, 3, 5);
            var decoder = Tensors(unet).Where(t => !t.Name.Contains("/mobilenetv2_1.00/", StringComparison.Ordinal)).ToList();
            var decoderBefore = decoder.Select(t => t.Tensor.ToArray<float>()).ToList();

            var report = KerasWeightMapper.Load(unet, path, MatchMode.Auto, allowPartial: true);

            Assert.Equal(MatchRule.ByKeras3Order, report.Rule);
            Assert.Equal(TensorCount(source), report.TensorsLoaded);
            Assert.Equal(9, report.SkippedModelLayers.Count); // 4 upsample blocks (transposed conv + BN) and the last transposed conv
            Assert.Equal(decoderBefore, decoder.Select(t => t.Tensor.ToArray<float>()));
            foreach (var ((name, expected), (_, actual)) in Tensors(source).Zip(Tensors(unet.Encoder!)))
                Assert.True(expected.ToArray<float>().AsSpan().SequenceEqual(actual.ToArray<float>()), name);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_npz_with_a_dropped_and_a_misshaped_tensor_names_exactly_those()
    {
        // Keras 3 paths of conv and BN weights are also valid names of ours; the error must still come from the rule
        // that explains the file, and count what is really wrong (not "0 missing, 250 unexpected").
        var tensors = KerasLayouts.Keras3Paths(Create("mobilenetv2", 1));
        Assert.Equal(1, tensors.RemoveAll(t => t.Name == "block_5_project_BN/moving_variance"));
        var expand = tensors.FindIndex(t => t.Name == "block_2_expand/kernel");
        tensors[expand] = new RawTensor(tensors[expand].Name, WeightDType.F32, [1, 1, 24, 145], new byte[24 * 145 * 4]);
        var path = WeightFixtures.TempPath(".npz");
        try
        {
            Npz.Write(path, tensors, compressed: true);
            var target = Create("mobilenetv2", 2);
            var before = Tensors(target).Select(t => t.Tensor.ToArray<float>()).ToList();
            var error = Assert.Throws<WeightImportException>(() => KerasWeightMapper.Load(target, path, MatchMode.Auto, allowPartial: true));
            Assert.StartsWith($"{path}: cannot load into model '{target.Name}' by layer name: 0 missing, 0 unexpected, 1 mis-shaped tensors, 1 other problems\n",
                error.Message);
            Assert.Equal([$"{target.Name}/block_2/block_2_expand/kernel"], error.Misshaped);
            Assert.Contains("model expects [1, 1, 24, 144], file 'block_2_expand/kernel' has [1, 1, 24, 145]", error.Message);
            Assert.StartsWith($"layer {target.Name}/block_5/block_5_project_BN has 4 weights", Assert.Single(error.Problems));
            Assert.Equal(before, Tensors(target).Select(t => t.Tensor.ToArray<float>()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Encoder Create(string encoder, ulong seed) => encoder switch
    {
        "mobilenetv2" => new MobileNetV2(new RandomGenerator(seed)),
        "vgg16" => new Vgg16(new RandomGenerator(seed)),
        "densenet121" => new DenseNet121(new RandomGenerator(seed)),
        _ => throw new ArgumentException(encoder),
    };

    private static void Write(Module model, string layout, string path)
    {
        switch (layout)
        {
            case "keras3.weights.h5": KerasLayouts.WriteKeras3WeightsH5(model, path); break;
            case "keras2.h5": KerasLayouts.WriteKeras2H5(model, path); break;
            case "keras2-gzip.h5": KerasLayouts.WriteKeras2H5(model, path, gzip: true); break;
            case "keras3-paths.npz": Npz.Write(path, KerasLayouts.Keras3Paths(model), compressed: false); break;
            case "keras3-paths-compressed.npz": Npz.Write(path, KerasLayouts.Keras3Paths(model), compressed: true); break;
            case "keras2-names.npz": Npz.Write(path, KerasLayouts.Keras2Names(model), compressed: false); break;
            case "keras2-names-compressed.npz": Npz.Write(path, KerasLayouts.Keras2Names(model), compressed: true); break;
            case "keras2-names.safetensors": WeightFile.Write(path, KerasLayouts.Keras2Names(model)); break;
            default: throw new ArgumentException(layout);
        }
    }

    private static List<(string Name, Tensor Tensor)> Tensors(Module model) => model.NamedParameters().Concat(model.NamedBuffers()).ToList();

    private static int TensorCount(Module model) => Tensors(model).Count;

    /// <summary>The taps at the fixture's samples against the PyTorch twin, each within 1e-3 x max(1, max |reference|).</summary>
    private void CheckTaps(string encoder, Encoder model)
    {
        var reference = TapReference.Value;
        var tapNames = reference.Keys.Where(k => k.StartsWith(encoder + "/", StringComparison.Ordinal) && k.EndsWith("/samples", StringComparison.Ordinal))
            .Select(k => k[(encoder.Length + 1)..^"/samples".Length]).ToList();
        Assert.Equal(5, tapNames.Count);
        model.Eval();
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var taps = model.ForwardTaps(FormulaWeights.Input(Size), tapNames);
        var worst = 0.0;
        foreach (var tap in tapNames)
        {
            var key = $"{encoder}/{tap}";
            var ours = taps[tap];
            Assert.Equal(reference[key + "/shape"].ToFloat32().Select(d => (int)d), ours.Shape.ToArray());
            var values = ours.ToArray<float>();
            var samples = reference[key + "/samples"].ToFloat32();
            var scale = Math.Max(1, BitConverter.ToDouble(reference[key + "/max_abs"].Data));
            for (var k = 0; k < samples.Length; k++)
            {
                var i = (int)((2L * k + 1) * values.Length / (2 * samples.Length));
                var error = Math.Abs(values[i] - samples[k]) / scale;
                worst = Math.Max(worst, error);
                Assert.True(error <= Tolerance, $"{key}[{i}]: ours {values[i]}, reference {samples[k]} (scale {scale})");
            }
        }
        output.WriteLine($"{encoder} taps: worst error {worst:G3} of max(1, max |reference|)");
    }

    private static readonly Lazy<Dictionary<string, RawTensor>> TapReference =
        new(() => Npz.Read(FixturePath()).ToDictionary(t => t.Name, StringComparer.Ordinal));

    private static string FixturePath([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Fixtures", "encoder_taps.npz");
}
