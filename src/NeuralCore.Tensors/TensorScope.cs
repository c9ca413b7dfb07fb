namespace NeuralCore.Tensors;

/// <summary>
/// Deterministic release of tensors: every tensor created while a scope is the innermost one on this thread is
/// disposed when the scope ends, unless it was <see cref="Keep">kept</see>. A training step runs inside one scope,
/// so its activations and gradients go back to the pool at the end of the step, never to a finalizer.
/// </summary>
/// <example><code>
/// using (TensorScope.Begin()) { var loss = ...; loss.Backward(); optimizer.Step(); lossValue = loss.Item&lt;float&gt;(); }
/// </code></example>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _innermost;

    private readonly TensorScope? _outer;
    private readonly bool _collects;
    private readonly List<Tensor> _owned = new();
    private List<IDisposable>? _dependents;
    private bool _disposed;

    private TensorScope(bool collects)
    {
        _collects = collects;
        _outer = _innermost;
        _innermost = this;
    }

    /// <summary>Starts a scope that owns the tensors created until it is disposed.</summary>
    public static TensorScope Begin() => new(collects: true);

    /// <summary>
    /// Starts a region whose tensors belong to no scope (parameters, optimizer state, running statistics
    /// created lazily in the middle of a step). They live until disposed explicitly.
    /// </summary>
    public static TensorScope Persistent() => new(collects: false);

    internal static void Adopt(Tensor t)
    {
        var scope = _innermost;
        if (scope is { _collects: true })
        {
            scope._owned.Add(t);
            t.OwningScope = scope;
        }
    }

    /// <summary>
    /// Ties <paramref name="dependent"/> to the innermost collecting scope: it is disposed when that scope ends, before
    /// the scope's tensors. The tape ties its nodes here, so a graph whose backward never ran gives back the tensors
    /// its backward rules saved together with the step's activations. Returns false (and does nothing) outside any
    /// collecting scope.
    /// </summary>
    public static bool DisposeAtEnd(IDisposable dependent)
    {
        var scope = _innermost;
        while (scope is { _collects: false }) scope = scope._outer;
        if (scope is null) return false;
        (scope._dependents ??= new()).Add(dependent);
        return true;
    }

    /// <summary>Moves <paramref name="t"/> out of its scope into the enclosing one (or none) and returns it.</summary>
    public static Tensor Keep(Tensor t)
    {
        if (t.OwningScope is { } scope)
        {
            t.OwningScope = null;
            var outer = scope._outer;
            while (outer is { _collects: false }) outer = outer._outer;
            if (outer != null)
            {
                outer._owned.Add(t);
                t.OwningScope = outer;
            }
        }
        return t;
    }

    public int OwnedCount => _owned.Count;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_innermost != this)
            throw new InvalidOperationException("tensor scopes must be disposed in reverse order of creation");
        _innermost = _outer;
        if (_dependents is not null)
        {
            foreach (var dependent in _dependents) dependent.Dispose();
            _dependents = null;
        }
        foreach (var t in _owned)
            if (t.OwningScope == this) t.Dispose();
        _owned.Clear();
    }
}
