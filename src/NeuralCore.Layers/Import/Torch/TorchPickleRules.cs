namespace NeuralCore.Layers.Import.Torch;

/// <summary>One storage a checkpoint refers to: its key in the archive, element type and length in elements.</summary>
public sealed record TorchStorageRef(string Key, TorchStorageType Type, long ElementCount);

/// <summary>A tensor as torch.save describes it: a view of a storage (offset and strides in elements).</summary>
public sealed record TorchTensorRef(TorchStorageRef Storage, long Offset, long[] Shape, long[] Stride);

/// <summary>
/// The allow-list for torch.save pickles: collections.OrderedDict, the tensor and parameter rebuild functions of
/// torch._utils, and the typed storage classes of <see cref="TorchStorageType"/> inside persistent ids
/// <c>('storage', torch.FloatStorage, key, location, numel)</c> (the legacy format adds a view field that must be None).
/// Calls build the records above; no Python function is ever looked up or run.
/// </summary>
internal sealed class TorchPickleRules : IPickleRules
{
    private const string Utils = "torch._utils";
    private const string RebuildTensor = "_rebuild_tensor_v2";
    private const string RebuildParameter = "_rebuild_parameter";
    private const string RebuildParameterWithState = "_rebuild_parameter_with_state";

    public PickleGlobal ResolveGlobal(string module, string name)
    {
        var accepted = (module, name) switch
        {
            ("collections", "OrderedDict") => true,
            (Utils, RebuildTensor or RebuildParameter or RebuildParameterWithState) => true,
            ("torch", _) when name.EndsWith("Storage", StringComparison.Ordinal) => TorchStorageType.Supported.ContainsKey(name)
                ? true
                : throw new InvalidDataException(
                    $"tensor storage type 'torch.{name}' is not supported (supported: {TorchStorageType.SupportedText})"),
            _ => false,
        };
        return accepted ? new PickleGlobal(module, name)
            : throw new InvalidDataException($"refusing pickle global '{module}.{name}' (only tensor state dicts are loaded)");
    }

    public object? Call(PickleGlobal callable, PickleTuple args) => (callable.Module, callable.Name) switch
    {
        ("collections", "OrderedDict") when args.Count == 0 => new PickleDict(),
        (Utils, RebuildTensor) => RebuildTensorV2(args),
        (Utils, RebuildParameter or RebuildParameterWithState) when args.Count >= 1 && args[0] is TorchTensorRef data => data,
        _ => throw new InvalidDataException($"refusing to call '{callable}' with {args.Count} arguments (not how torch.save writes tensors)"),
    };

    /// <summary>An OrderedDict's attributes (a state_dict's <c>_metadata</c> of module versions) carry no tensors.</summary>
    public void Build(object? target, object? state)
    {
        if (target is not PickleDict)
            throw new InvalidDataException($"refusing BUILD on {TypeText(target)} (only a state dict's attributes are accepted)");
    }

    public object? PersistentLoad(object? persistentId)
    {
        if (persistentId is PickleTuple { Count: 5 or 6 } pid && pid[0] is "storage" && pid[1] is PickleGlobal type
            && TorchStorageType.Supported.TryGetValue(type.Name, out var storageType) && pid[2] is string key
            && pid[4] is long count && count >= 0)
        {
            if (pid.Count == 6 && pid[5] is not null)
                throw new InvalidDataException($"storage '{key}' is a pre-0.4 storage view; re-save the checkpoint with a current PyTorch");
            return new TorchStorageRef(key, storageType, count);
        }
        throw new InvalidDataException($"persistent id {TypeText(persistentId)} is not a torch storage reference ('storage', type, key, location, numel)");
    }

    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    private static TorchTensorRef RebuildTensorV2(PickleTuple args)
    {
        if (args.Count is < 4 or > 7 || args[0] is not TorchStorageRef storage || args[1] is not long offset
            || args[2] is not PickleTuple size || args[3] is not PickleTuple stride || size.Count != stride.Count)
            throw new InvalidDataException("_rebuild_tensor_v2 arguments are not (storage, offset, size, stride, ...)");
        return new TorchTensorRef(storage, offset, Longs(size, "size"), Longs(stride, "stride"));
    }

    private static long[] Longs(PickleTuple tuple, string what) =>
        tuple.Items.Select(i => i as long? ?? throw new InvalidDataException($"tensor {what} holds {TypeText(i)}, expected integers")).ToArray();

    internal static string TypeText(object? value) => value switch
    {
        null => "None",
        PickleTuple t => $"a tuple of {t.Count}",
        PickleGlobal g => $"'{g}'",
        _ => "a " + value.GetType().Name,
    };
}
