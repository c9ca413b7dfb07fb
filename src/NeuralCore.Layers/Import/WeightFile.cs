namespace NeuralCore.Layers.Import;

/// <summary>
/// The tensors of any supported weight file. Keras files keep their layer structure in <see cref="KerasLayers"/>
/// and are also flattened into <see cref="Tensors"/> with names <c>&lt;layer&gt;/&lt;weight name&gt;</c>.
/// </summary>
public sealed record WeightFileContents(
    string Path,
    string Format,
    IReadOnlyList<RawTensor> Tensors,
    IReadOnlyList<KerasLayerWeights>? KerasLayers,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Reads and writes weight files by extension: .h5/.hdf5 (Keras, read only), .npz, .safetensors, and .pth/.pt
/// (PyTorch torch.save, read only: tensors in PyTorch's layout, other values as metadata; see <see cref="Torch.TorchCheckpoint"/>).
/// </summary>
public static class WeightFile
{
    public const string FormatNpz = "npz";
    public const string FormatSafetensors = "safetensors";

    public static WeightFileContents Read(string path)
    {
        switch (KindOf(path))
        {
            case Kind.Keras:
                var keras = KerasWeightFile.Load(path);
                var flat = keras.Layers.SelectMany(l => l.Weights.Select(w => w with { Name = KerasTensorName(l.LayerName, w) })).ToList();
                return new WeightFileContents(path, keras.Format, flat, keras.Layers, new Dictionary<string, string>());
            case Kind.Npz:
                return new WeightFileContents(path, FormatNpz, Npz.Read(path), null, new Dictionary<string, string>());
            case Kind.Torch:
                var torch = Torch.TorchCheckpoint.Read(path);
                return new WeightFileContents(path, torch.Format, torch.Tensors, null, torch.Values);
            default:
                var safetensors = Safetensors.Read(path);
                return new WeightFileContents(path, FormatSafetensors, safetensors.Tensors, null, safetensors.Metadata);
        }
    }

    /// <summary>Writes .npz (uncompressed) or .safetensors, atomically; metadata survives only in safetensors.</summary>
    public static void Write(string path, IReadOnlyList<RawTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        switch (KindOf(path))
        {
            case Kind.Npz:
                Npz.Write(path, tensors, compressed: false);
                break;
            case Kind.Safetensors:
                Safetensors.Write(path, tensors, metadata);
                break;
            case Kind.Torch:
                throw new NotSupportedException($"{path}: writing PyTorch checkpoints is not supported; write .npz or .safetensors");
            default:
                throw new NotSupportedException($"{path}: writing HDF5 is not supported; write .npz or .safetensors");
        }
    }

    /// <summary>The flat name of a Keras weight: <c>&lt;layer&gt;/&lt;weight name&gt;</c>.</summary>
    public static string KerasTensorName(string layerName, RawTensor weight) => layerName + "/" + weight.Name;

    private enum Kind { Keras, Npz, Safetensors, Torch }

    private static Kind KindOf(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".h5" or ".hdf5" => Kind.Keras,
        ".npz" => Kind.Npz,
        ".safetensors" => Kind.Safetensors,
        ".pth" or ".pt" => Kind.Torch,
        var other => throw new NotSupportedException(
            $"{path}: unknown weight file extension '{other}', expected .h5, .hdf5, .npz, .safetensors, .pth or .pt"),
    };
}
