using Microsoft.ML.OnnxRuntime;
using NeuralCore.Kernels;
using NeuralCore.Kernels.Reference;
using NeuralCore.Layers.Export.Onnx;
using NeuralCore.Tensors;
using static NeuralCore.Layers.Tests.Export.OnnxRuntimeCheck;

namespace NeuralCore.Layers.Tests.Export;

/// <summary>
/// Exported graphs run in ONNX Runtime 1.32 (CPU) and must reproduce our own inference-mode forward to 1e-4 x
/// max(1, max|logit|). Every seed model at the smallest size its strides allow, batch 2; the two heaviest ones
/// (unet, unet-pix2pix, which only works at 256x256) in thinner variants built by the same code. The same file then
/// runs at another batch size: the batch dimension is symbolic.
/// </summary>
public sealed class OnnxExportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("onnx-export-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> SeedModels() => new(ModelZoo.Names);

    private static SegmentationModel Build(string name) => name switch
    {
        ModelZoo.UNet => new UNet(3, 7, baseFilters: 8, name: name),
        ModelZoo.UNetPix2Pix => new UNetPix2Pix(3, 7, widthDivisor: 16, name: name),
        _ => ModelZoo.Create(name, name == ModelZoo.UNetDenseNet121 ? 59 : 3, 7),
    };

    [Theory]
    [MemberData(nameof(SeedModels))]
    public void OnnxRuntimeReproducesTheSeedModelsLogitsAtTwoBatchSizes(string name)
    {
        var model = Build(name);
        RandomizeStatistics(model, 11);
        int size = model.SizeMultiple;
        var path = Path.Combine(_folder, name + ".onnx");
        var summary = OnnxExporter.Export(model, size, size, path);
        Assert.Equal(new FileInfo(path).Length, summary.Bytes);
        Assert.Equal(new Shape([1, size, size, model.Classes]), summary.Output);
        using var session = new InferenceSession(path);
        Assert.Equal([OnnxExporter.InputName], session.InputNames);
        Assert.Equal([OnnxExporter.OutputName], session.OutputNames);
        Assert.Equal([-1, size, size, 3], session.InputMetadata[OnnxExporter.InputName].Dimensions);
        foreach (int batch in new[] { 2, 3 })
        {
            Shape shape = [batch, size, size, 3];
            var input = Input(shape, batch);
            var (onnx, onnxShape) = RunOnnx(session, input, shape);
            Assert.Equal([batch, size, size, model.Classes], onnxShape);
            AssertClose(RunOurs(model, input, shape), onnx, $"{name} batch {batch}");
        }
    }

    [Fact]
    public void OddSizesAsymmetricPaddingsAndEveryLayerKindMatch()
    {
        // 'same' on odd sizes pads unevenly, a 1x1 transposed conv with stride 2 appends a zero row (output_padding),
        // and ZeroPadding2D may be lopsided: the cases an exporter that assumed symmetric pads would get wrong.
        var rng = new RandomGenerator(3);
        var model = new Sequential("layers",
            new Conv2d("conv_same_s2", 3, 6, 3, rng, strides: 2, padding: Padding2d.Same, activation: Activation.Relu6),
            new ZeroPadding2d("pad", 0, 2, 1, 0),
            new BatchNorm2d("bn", 6),
            new LeakyReLU("leaky", 0.2),
            new DepthwiseConv2d("depthwise", 6, 3, rng, strides: 2, padding: Padding2d.Same, depthMultiplier: 2),
            new ReLU("relu"),
            new MaxPool2d("max_same", 3, 2, PoolPadding.Same),
            new ConvTranspose2d("up_k1_s2", 12, 5, 1, rng, strides: 2, padding: Padding2d.Same),
            new AvgPool2d("avg_same", 3, 2, PoolPadding.Same),
            new UpSampling2d("up_nearest", (2, 3)),
            new UpSampling2d("up_bilinear", 2, UpsampleMode.Bilinear),
            new ConvTranspose2d("up_k3_s2", 5, 4, 3, rng, strides: 2, padding: Padding2d.Same),
            new Conv2d("conv_sigmoid", 4, 4, 2, rng, activation: Activation.Sigmoid),
            new ConvTranspose2d("up_valid", 4, 3, 4, rng, strides: 3),
            new Dropout("dropout", 0.5, rng),
            new Conv2d("conv_tanh", 3, 2, 1, rng, activation: Activation.Tanh));
        RandomizeStatistics(model, 5);
        var path = Path.Combine(_folder, "layers.onnx");
        var summary = OnnxExporter.Export(model, 11, 13, path);
        Assert.DoesNotContain("Dropout", summary.OpCounts.Keys);
        using var session = new InferenceSession(path);
        Shape shape = [2, 11, 13, 3];
        var input = Input(shape, 1);
        var (onnx, onnxShape) = RunOnnx(session, input, shape);
        var ours = RunOurs(model, input, shape);
        Assert.Equal(ours.Length, onnx.Length);
        Assert.Equal(2, onnxShape[0]);
        AssertClose(ours, onnx, "layer mix");
    }

    [Fact]
    public void AnUnsupportedLayerIsNamedAndNothingIsWritten()
    {
        var rng = new RandomGenerator(1);
        var model = new Sequential("net", new Conv2d("stem", 3, 4, 3, rng), new Sequential("head", new Swish("gate")));
        var path = Path.Combine(_folder, "net.onnx");
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model, 8, 8, path));
        Assert.Contains("'head/gate' (Swish)", e.Message);
        Assert.Contains("Conv2d", e.Message); // the list of what can be exported
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder));
    }

    [Fact]
    public void ExportRestoresTheTrainingFlag()
    {
        var model = new UNet(2, 1, baseFilters: 4);
        OnnxExporter.Export(model, 16, 16, Path.Combine(_folder, "unet.onnx"));
        Assert.True(model.Training);
    }

    /// <summary>A layer the exporter does not know: x * sigmoid(x).</summary>
    private sealed class Swish(string name) : Module(name)
    {
        public override Tensor Forward(Tensor x) => NeuralCore.Autograd.F.Mul(x, NeuralCore.Autograd.F.Sigmoid(x));
    }
}
