namespace NeuralCore.Layers.Import.Torch;

/// <summary>
/// What a <see cref="RestrictedUnpickler"/> may build beyond plain data. Every global, call and persistent id goes
/// through these rules, so the rules alone decide what a file can make; refusing means throwing
/// <see cref="InvalidDataException"/> with a message that names the global.
/// </summary>
public interface IPickleRules
{
    /// <summary>Accepts or refuses a GLOBAL / STACK_GLOBAL before anything else happens with it.</summary>
    PickleGlobal ResolveGlobal(string module, string name);

    /// <summary>REDUCE: the value of calling <paramref name="callable"/> (an accepted global) with <paramref name="args"/>.</summary>
    object? Call(PickleGlobal callable, PickleTuple args);

    /// <summary>BUILD: applies <paramref name="state"/> to <paramref name="target"/> (Python's __setstate__).</summary>
    void Build(object? target, object? state);

    /// <summary>BINPERSID: the object an out-of-band persistent id stands for.</summary>
    object? PersistentLoad(object? persistentId);
}
