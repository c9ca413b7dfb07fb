using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

/// <summary>
/// Computes the gradients of an op's inputs from the gradient of its output. <paramref name="needsGrad"/>[i] says
/// whether input i wants one; return null where it does not. <paramref name="saved"/> holds the node's own
/// references to the tensors the op saved for backward (<see cref="Tape.Record"/>), in the order given there; a
/// rule reads tensor data only through them, never through the forward's tensors, which forward code may already
/// have released. Returned tensors are owned by the tape afterwards.
/// </summary>
public delegate Tensor?[] BackwardFn(Tensor dy, bool[] needsGrad, Tensor?[] saved);

/// <summary>
/// One recorded op: its output, its inputs, what its backward rule saved and how to push a gradient back through it.
/// Inputs and output serve as identities and shapes only; the data backward needs lives in <see cref="Saved"/>,
/// aliases that hold their storage until the node is released: when backward has run through it, when the tape is
/// cleared, or when the <see cref="TensorScope"/> it was recorded in ends.
/// </summary>
public sealed class TapeNode : IDisposable
{
    private readonly Tensor?[] _saved;
    private readonly bool[] _inputNeededGrad;
    private string? _releasedBecause;

    internal TapeNode(string op, Tensor output, Tensor[] inputs, Tensor?[] saved, BackwardFn backward)
    {
        Op = op;
        Output = output;
        Inputs = inputs;
        Backward = backward;
        _inputNeededGrad = Array.ConvertAll(inputs, t => t.RequiresGrad);
        // The aliases belong to the node, not to the scope in effect: the node decides when they go.
        using (TensorScope.Persistent()) _saved = Array.ConvertAll(saved, t => t?.Alias());
    }

    public string Op { get; }

    public Tensor Output { get; }

    public IReadOnlyList<Tensor> Inputs { get; }

    internal BackwardFn Backward { get; }

    /// <summary>Set once the node is released (backward ran, the tape was cleared, or its scope ended); its saved tensors are gone.</summary>
    public bool Consumed => _releasedBecause is not null;

    /// <summary>The tensors the backward rule holds (null after release).</summary>
    public IReadOnlyList<Tensor?> Saved => _saved;

    /// <summary>Why the node was released ("backward ran", ...), for error messages; null while it is live.</summary>
    public string? ReleasedBecause => _releasedBecause;

    /// <summary>Which inputs want a gradient: those that required one when the op was recorded and still do.</summary>
    internal bool[] InputsNeedingGrad()
    {
        var needs = new bool[Inputs.Count];
        for (int i = 0; i < needs.Length; i++) needs[i] = _inputNeededGrad[i] && Inputs[i].RequiresGrad;
        return needs;
    }

    /// <summary>Runs the backward rule on this node's saved tensors.</summary>
    internal Tensor?[] RunBackward(Tensor dy, bool[] needs)
    {
        if (_releasedBecause is not null)
            throw new InvalidOperationException(
                $"backward: '{Op}' -> {Output.Describe()} was already released ({_releasedBecause}): the tensors its gradient needs are gone");
        return Backward(dy, needs, _saved);
    }

    /// <summary>Gives back the saved tensors; later backward passes through this node are errors naming <paramref name="reason"/>.</summary>
    internal void Release(string reason)
    {
        if (_releasedBecause is not null) return;
        _releasedBecause = reason;
        for (int i = 0; i < _saved.Length; i++)
        {
            _saved[i]?.Dispose();
            _saved[i] = null;
        }
    }

    /// <summary>The end of the scope the node was recorded in.</summary>
    public void Dispose() => Release("the TensorScope it was recorded in ended");

    public override string ToString() => $"{Op} -> {Output.Describe()}";
}
