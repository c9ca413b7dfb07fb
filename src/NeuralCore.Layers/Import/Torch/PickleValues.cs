namespace NeuralCore.Layers.Import.Torch;

// The Python values a restricted unpickle can produce. Plain data maps to .NET types: None -> null, bool, long
// (System.Numerics.BigInteger past 64 bits), double, string, byte[], list -> List<object?>; the rest is below.

/// <summary>A Python tuple.</summary>
public sealed record PickleTuple(IReadOnlyList<object?> Items)
{
    public int Count => Items.Count;

    public object? this[int index] => Items[index];
}

/// <summary>A Python dict or collections.OrderedDict, in insertion order (what pickling preserves).</summary>
public sealed class PickleDict
{
    private readonly List<KeyValuePair<object?, object?>> _items = [];
    private readonly Dictionary<object, int> _index = [];

    public IReadOnlyList<KeyValuePair<object?, object?>> Items => _items;

    /// <summary>Sets <paramref name="key"/>; a key seen before keeps its position, as in Python.</summary>
    public void Set(object? key, object? value)
    {
        if (key is not null && _index.TryGetValue(key, out var at)) { _items[at] = new(key, value); return; }
        if (key is not null) _index[key] = _items.Count;
        _items.Add(new(key, value));
    }
}

/// <summary>A module-level name the pickle refers to (GLOBAL / STACK_GLOBAL), after the allow-list accepted it.</summary>
public sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => Module + "." + Name;
}
