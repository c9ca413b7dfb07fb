using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>One leaf layer's call seen by a <see cref="ForwardTrace"/>: which layer turned which tensors into which.</summary>
/// <param name="Inputs">The tensors the layer was given (possibly released by now: compare them by reference).</param>
/// <param name="InputShapes">Their shapes at the call ([N, H, W, C] for the image layers).</param>
public sealed record TracedCall(Module Layer, Tensor[] Inputs, Shape[] InputShapes, Tensor Output);

/// <summary>
/// Records, for the current thread, every leaf layer's forward call in execution order. The wiring of a network
/// (skips, residual adds, taps) lives in the forward code of its composite modules, not in the module tree; a trace
/// of one real forward pass recovers it without restating it. Inputs and outputs are matched by reference: a layer
/// that hands its input back unchanged (dropout in inference mode) shows as a call whose output is its input.
/// </summary>
/// <example><code>using (var trace = ForwardTrace.Begin()) model.Forward(x); // trace.Calls</code></example>
public sealed class ForwardTrace : IDisposable
{
    [ThreadStatic] private static ForwardTrace? _active;

    private readonly ForwardTrace? _outer;
    private readonly List<TracedCall> _calls = new();

    private ForwardTrace(ForwardTrace? outer) => _outer = outer;

    /// <summary>Starts recording on this thread until the returned trace is disposed.</summary>
    public static ForwardTrace Begin() => _active = new ForwardTrace(_active);

    public IReadOnlyList<TracedCall> Calls => _calls;

    /// <summary>Called by leaf layers (through <see cref="Module"/>'s <c>Traced</c>); free when no trace is active.</summary>
    internal static void Report(Module layer, ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var trace = _active;
        if (trace is null) return;
        var copy = inputs.ToArray();
        trace._calls.Add(new TracedCall(layer, copy, Array.ConvertAll(copy, t => t.Shape), output));
    }

    public void Dispose()
    {
        if (!ReferenceEquals(_active, this)) throw new InvalidOperationException("forward traces must end in the reverse order they began");
        _active = _outer;
    }
}
