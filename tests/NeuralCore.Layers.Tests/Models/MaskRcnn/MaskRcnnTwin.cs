using NeuralCore.Layers.Import;
using NeuralCore.Layers.Models.MaskRcnn;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Tests.Models.MaskRcnn;

/// <summary>
/// The scaled-down torchvision MaskRCNN twin and its outputs at every stage, made by
/// Fixtures/make_maskrcnn_twin.py (maskrcnn_twin.pth and maskrcnn_twin.npz beside it), and the paste cases the same
/// script writes (maskrcnn_paste.npz).
/// </summary>
internal static class MaskRcnnTwin
{
    private static readonly Lazy<Dictionary<string, RawTensor>> Stages = new(() => Read("maskrcnn_twin.npz"));
    private static readonly Lazy<Dictionary<string, RawTensor>> PasteCases = new(() => Read("maskrcnn_paste.npz"));

    public static string WeightsPath => PathOf("maskrcnn_twin.pth");

    /// <summary>Stage <paramref name="name"/> of the fixture as a float32 tensor of its stored shape.</summary>
    public static Tensor Stage(string name) => Get(Stages.Value, "maskrcnn_twin.npz", name);

    /// <summary>Array <paramref name="name"/> of the paste cases (maskrcnn_paste.npz) as a float32 tensor.</summary>
    public static Tensor PasteCase(string name) => Get(PasteCases.Value, "maskrcnn_paste.npz", name);

    /// <summary>The input photo as the model reads it: [1, H, W, 3] in [0, 1].</summary>
    public static Tensor Image()
    {
        using var bytes = Stage("image");
        using var scaled = Kernels.Ops.Scale(bytes, 1.0 / 255);
        return scaled.Reshape([1, .. bytes.Shape.ToArray()]);
    }

    /// <summary>
    /// |actual - expected| &lt;= atol + ofRms · rms(expected) everywhere: through tens of convolutions float32 rounding
    /// grows with the magnitude of the whole feature map, not of the element. The failure names the worst element.
    /// </summary>
    public static void Close(string stage, Tensor actual, double atol, double ofRms)
    {
        using var expected = Stage(stage);
        Close(stage, expected, actual, atol, ofRms);
    }

    public static void Close(string stage, Tensor expected, Tensor actual, double atol, double ofRms)
    {
        Assert.True(expected.Shape == actual.Shape, $"{stage}: shape {actual.Shape}, torchvision {expected.Shape}");
        float[] e = expected.ToArray<float>(), a = actual.ToArray<float>();
        double rms = Math.Sqrt(e.Sum(v => (double)v * v) / Math.Max(e.Length, 1));
        int worst = 0;
        double worstError = -1;
        for (int i = 0; i < e.Length; i++)
        {
            double error = double.IsNaN(a[i]) ? double.PositiveInfinity : Math.Abs(a[i] - e[i]);
            if (error > worstError) (worst, worstError) = (i, error);
        }
        Assert.True(worstError <= atol + ofRms * rms,
            $"{stage}: element {worst} is {a[worst]}, torchvision {e[worst]}: error {worstError:G3} = {worstError / rms:G3} of the rms {rms:G3} (allowed {atol} + {ofRms} of the rms)");
    }

    private static Dictionary<string, RawTensor> Read(string file) => Npz.Read(PathOf(file)).ToDictionary(t => t.Name);

    private static Tensor Get(Dictionary<string, RawTensor> arrays, string file, string name)
    {
        var raw = arrays.TryGetValue(name, out var r) ? r : throw new KeyNotFoundException($"{file} has no '{name}'");
        return Tensor.FromArray(raw.ToFloat32(), new Shape(raw.Shape.Select(d => (int)d).ToArray()));
    }

    private static string PathOf(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "NeuralCore.Layers.Tests", "Models", "MaskRcnn", "Fixtures", file);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"Mask R-CNN twin fixture {file} not found above {AppContext.BaseDirectory}");
    }
}
