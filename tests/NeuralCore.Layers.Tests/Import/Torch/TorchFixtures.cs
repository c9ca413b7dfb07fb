using NeuralCore.Layers.Import;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Tests.Import.Torch;

/// <summary>
/// Fixtures/torch, made by Fixtures/torch/make_torch_fixtures.py with the Debian PyTorch 1.13 / torchvision 0.14.
/// Each checkpoint "&lt;name&gt;.pth" has a sidecar "&lt;name&gt;.expected.npz" with every tensor as the reader must
/// return it (C order, dotted names, checkpoint order; bfloat16 widened to float32, int8/int16 to int32, bool to uint8).
/// </summary>
internal static class TorchFixtures
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch", name);

    public static IReadOnlyList<RawTensor> Expected(string pthName) => Npz.Read(PathOf(pthName.Replace(".pth", ".expected.npz")));

    public static IReadOnlyDictionary<string, RawTensor> Layouts() => Npz.Read(PathOf("layouts.npz")).ToDictionary(t => t.Name);

    public static Tensor ToTensor(RawTensor raw) => Tensor.FromArray(raw.ToFloat32(), new Shape(raw.Shape.Select(d => (int)d).ToArray()));

    /// <summary>Ours against PyTorch's values: same shape, every element within 1e-4 x max(1, max |PyTorch|).</summary>
    public static void AssertClose(RawTensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape.Select(d => (int)d), actual.Shape.ToArray());
        var want = expected.ToFloat32();
        var got = actual.ToArray<float>();
        var tolerance = 1e-4f * Math.Max(1f, want.Max(MathF.Abs));
        for (var i = 0; i < want.Length; i++)
            Assert.True(MathF.Abs(want[i] - got[i]) <= tolerance, $"{expected.Name}[{i}]: ours {got[i]}, PyTorch {want[i]}");
    }

    public static string TempPath(string extension) =>
        Path.Combine(Path.GetTempPath(), $"neuralcore-torch-{Guid.NewGuid():N}{extension}");
}
