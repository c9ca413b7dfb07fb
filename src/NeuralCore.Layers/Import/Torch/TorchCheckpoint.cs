using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Numerics;

namespace NeuralCore.Layers.Import.Torch;

/// <summary>
/// What a torch.save file holds: every tensor, C-contiguous, named by its path through nested dicts and lists
/// joined with '.' (a state_dict's own keys, <c>model.conv1.weight</c> inside a training checkpoint), in pickle order,
/// and every other leaf value (epoch numbers, hyper-parameters, strings) as text under its path.
/// </summary>
public sealed record TorchCheckpointContents(string Format, IReadOnlyList<RawTensor> Tensors, IReadOnlyDictionary<string, string> Values);

/// <summary>
/// Reads PyTorch's <c>torch.save</c> files without running any of their pickle: the zip format of PyTorch 1.6 and
/// later (<c>&lt;root&gt;/data.pkl</c>, raw little-endian storages at <c>&lt;root&gt;/data/&lt;key&gt;</c>) and the
/// legacy format before it (magic number, protocol and system-info pickles, the object pickle, the storage key list,
/// then each storage as an int64 element count and its bytes). See <see cref="TorchPickleRules"/> for what is accepted.
/// </summary>
public static class TorchCheckpoint
{
    public const string FormatZip = "torch-zip";
    public const string FormatLegacy = "torch-legacy";

    private const int LegacyProtocolVersion = 1001;
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("119547037146038801333356", CultureInfo.InvariantCulture);

    /// <summary>Reads <paramref name="path"/>; any problem is one <see cref="InvalidDataException"/> naming the file.</summary>
    public static TorchCheckpointContents Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            Span<byte> head = stackalloc byte[4];
            var headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            stream.Position = 0;
            if (headLength >= 2 && head[0] == 'P' && head[1] == 'K') return ReadZip(stream);
            if (headLength >= 1 && head[0] == 0x80) return ReadLegacy(stream);
            throw new InvalidDataException("not a PyTorch checkpoint (neither a torch.save zip archive nor a legacy torch.save pickle)");
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or EndOfStreamException or OverflowException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static TorchCheckpointContents ReadZip(Stream stream)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"truncated or damaged torch.save zip archive ({e.Message})", e);
        }
        using (archive)
        {
            var pickles = archive.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1).ToList();
            if (pickles.Count != 1)
                throw new InvalidDataException($"a zip archive with {pickles.Count} '<root>/data.pkl' members, expected exactly one as torch.save writes");
            var root = pickles[0].FullName[..^"/data.pkl".Length];
            if (archive.GetEntry(root + "/byteorder") is { } byteOrder && ReadAll(byteOrder).AsSpan().Trim("\r\n "u8) is var order && !order.SequenceEqual("little"u8))
                throw new NotSupportedException($"storages are stored '{System.Text.Encoding.ASCII.GetString(order)}'-endian, expected little");

            var (value, _) = RestrictedUnpickler.Load(ReadAll(pickles[0]), 0, new TorchPickleRules());
            var storages = new Dictionary<string, byte[]>();
            return Collect(FormatZip, value, storage =>
            {
                if (storages.TryGetValue(storage.Key, out var cached)) return cached;
                var entry = archive.GetEntry($"{root}/data/{storage.Key}")
                    ?? throw new InvalidDataException($"storage '{storage.Key}' is missing: no member '{root}/data/{storage.Key}'");
                return storages[storage.Key] = ReadAll(entry);
            });
        }
    }

    private static TorchCheckpointContents ReadLegacy(Stream stream)
    {
        if (stream.Length > Array.MaxLength) throw new NotSupportedException("a legacy checkpoint over 2 GB; re-save it with a current PyTorch");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var rules = new TorchPickleRules();
        var (magic, at) = RestrictedUnpickler.Load(bytes, 0, rules);
        if (!(magic is BigInteger number && number == LegacyMagic))
            throw new InvalidDataException("a pickle but not a torch.save file (no torch magic number)");
        var (protocol, afterProtocol) = RestrictedUnpickler.Load(bytes, at, rules);
        if (protocol is not (long)LegacyProtocolVersion)
            throw new NotSupportedException($"legacy torch.save protocol {protocol}, expected {LegacyProtocolVersion}; re-save the checkpoint with a current PyTorch");
        var (systemInfo, afterInfo) = RestrictedUnpickler.Load(bytes, afterProtocol, rules);
        if (systemInfo is PickleDict info && info.Items.Any(i => i.Key is "little_endian" && i.Value is false))
            throw new NotSupportedException("a big-endian legacy checkpoint; re-save it on a little-endian machine");
        var (value, afterValue) = RestrictedUnpickler.Load(bytes, afterInfo, rules);
        var (keyList, position) = RestrictedUnpickler.Load(bytes, afterValue, rules);
        if (keyList is not List<object?> keyObjects || keyObjects.Any(k => k is not string))
            throw new InvalidDataException("the legacy storage key list is not a list of strings");
        var keys = keyObjects.Cast<string>();

        // Storages follow in key-list order; their element sizes come from the tensors that use them.
        var types = Tensors(value).Select(t => t.Tensor.Storage).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.First().Type);
        var storages = new Dictionary<string, byte[]>();
        foreach (var key in keys)
        {
            if (!types.TryGetValue(key, out var type)) throw new InvalidDataException($"storage '{key}' is listed but no tensor uses it");
            if (bytes.Length - position < 8) throw new EndOfStreamException($"truncated before storage '{key}'");
            var count = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(position));
            position += 8;
            var length = checked(count * type.ElementSize);
            if (count < 0 || length > bytes.Length - position)
                throw new EndOfStreamException($"truncated in storage '{key}': {length} bytes needed, {bytes.Length - position} left");
            storages[key] = bytes.AsSpan(position, (int)length).ToArray();
            position += (int)length;
        }
        return Collect(FormatLegacy, value, storage => storages.TryGetValue(storage.Key, out var data) ? data
            : throw new InvalidDataException($"storage '{storage.Key}' is not in the file's storage list"));
    }

    private static TorchCheckpointContents Collect(string format, object? value, Func<TorchStorageRef, byte[]> storageBytes)
    {
        var tensors = new List<RawTensor>();
        var values = new Dictionary<string, string>();
        foreach (var (name, leaf) in Leaves(value, "", 0))
        {
            if (leaf is not TorchTensorRef tensor)
            {
                values[name] = ValueText(leaf);
                continue;
            }
            var data = storageBytes(tensor.Storage);
            var needed = tensor.Storage.ElementCount * tensor.Storage.Type.ElementSize;
            if (data.LongLength < needed)
                throw new EndOfStreamException($"storage '{tensor.Storage.Key}' of tensor '{name}' has {data.LongLength} bytes, expected {needed}");
            tensors.Add(TorchTensorView.Materialize(name, tensor, data));
        }
        return new TorchCheckpointContents(format, tensors, values);
    }

    private static IEnumerable<(string Name, TorchTensorRef Tensor)> Tensors(object? value) =>
        Leaves(value, "", 0).Where(l => l.Leaf is TorchTensorRef).Select(l => (l.Name, (TorchTensorRef)l.Leaf!));

    /// <summary>
    /// Every tensor and plain value under <paramref name="value"/> with its dotted path, depth first in pickle order.
    /// The depth limit also stops a list or dict that the pickle made contain itself.
    /// </summary>
    private static IEnumerable<(string Name, object? Leaf)> Leaves(object? value, string path, int depth)
    {
        const int MaxDepth = 64;
        if (value is not (PickleDict or List<object?> or PickleTuple))
            return [(path.Length > 0 ? path : value is TorchTensorRef ? "tensor" : "value", value)];
        if (depth == MaxDepth)
            throw new InvalidDataException($"'{path}' is nested more than {MaxDepth} levels deep (or contains itself)");
        return Children(value).SelectMany(c => Leaves(c.Value, Join(path, c.Key), depth + 1));
    }

    private static string ValueText(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        byte[] b => $"<{b.Length} bytes>",
        _ => value.ToString() ?? "",
    };

    private static IEnumerable<(string Key, object? Value)> Children(object? value) => value switch
    {
        PickleDict dict => dict.Items.Select(i => (KeyText(i.Key), i.Value)),
        List<object?> list => list.Select((item, i) => (i.ToString(CultureInfo.InvariantCulture), item)),
        PickleTuple tuple => tuple.Items.Select((item, i) => (i.ToString(CultureInfo.InvariantCulture), item)),
        _ => [],
    };

    private static string KeyText(object? key) => key switch
    {
        string s => s,
        long or BigInteger or bool => Convert.ToString(key, CultureInfo.InvariantCulture)!,
        _ => throw new InvalidDataException($"a dict key of type {TorchPickleRules.TypeText(key)}; expected strings or integers"),
    };

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        if (entry.Length > Array.MaxLength) throw new NotSupportedException($"member '{entry.FullName}' exceeds 2 GB");
        using var member = entry.Open();
        var data = new byte[entry.Length];
        member.ReadExactly(data);
        return data;
    }
}
