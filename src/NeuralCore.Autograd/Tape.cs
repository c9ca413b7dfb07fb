using System.Text;
using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

/// <summary>
/// The define-by-run tape (one per thread). Every op whose inputs require gradients appends a node in execution
/// order; <see cref="Backward"/> walks the nodes in reverse, which is a valid topological order by construction.
/// </summary>
/// <remarks>
/// Accumulation rules, written down because engines get them wrong: (1) a tensor used by several ops receives
/// the sum of their gradients; intermediate gradients are summed out of place, so two inputs may safely share a
/// gradient tensor; (2) a leaf's <see cref="Tensor.Grad"/> accumulates across backward passes (+=) until the
/// optimizer zeroes it, as in PyTorch; (3) the tape is consumed by a backward pass: reusing an output of a
/// consumed graph is an error rather than a silently missing gradient. Gradients of intermediates are disposed as
/// soon as they have been propagated.
/// Memory: a node keeps only what its backward rule saved (aliases of those tensors), so forward code may release
/// an intermediate as soon as it has no further forward use, and its storage survives only if some rule saved it.
/// Saved tensors are given back as soon as backward has run through their node, so activations drain during the
/// backward pass; a graph that never runs backward gives them back when its <see cref="TensorScope"/> ends.
/// </remarks>
public sealed class Tape
{
    [ThreadStatic] private static Tape? _current;

    private readonly List<TapeNode> _nodes = new();

    public static Tape Current => _current ??= new Tape();

    public int Count => _nodes.Count;

    /// <summary>
    /// The nodes recorded on this thread that are still live (not yet consumed by a backward pass, cleared, or ended
    /// with their scope), in recording order, which is a topological order of the graph.
    /// </summary>
    public IReadOnlyList<TapeNode> LiveNodes() => _nodes.Where(n => !n.Consumed).ToArray();

    /// <summary>
    /// The live graph as text, one node per line in recording order, e.g. <c>[2] relu([1]) -> float32 [4, 2]</c>.
    /// An input produced by a listed node is written as that node's number; any other input (a leaf such as a
    /// parameter, or a tensor computed without gradients) by its name, dtype and shape.
    /// </summary>
    public string Describe()
    {
        var numbers = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        var text = new StringBuilder();
        var nodes = LiveNodes();
        for (int i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            var inputs = node.Inputs.Select(t => numbers.TryGetValue(t, out int j) ? $"[{j}]" : t.Describe());
            text.Append($"[{i}] {node.Op}(").AppendJoin(", ", inputs).Append($") -> {node.Output.Describe()}\n");
            numbers[node.Output] = i;
        }
        return text.ToString();
    }

    /// <summary>Whether an op on these inputs must be recorded.</summary>
    public static bool ShouldRecord(params ReadOnlySpan<Tensor> inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in inputs)
            if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>
    /// Records <paramref name="output"/> = op(<paramref name="inputs"/>) if any input requires a gradient.
    /// <paramref name="saved"/> lists the tensors (inputs, the output, op-private statistics; null for "not needed")
    /// whose data the backward rule reads; it receives the node's own references to them, in the same order. Nothing
    /// is kept when nothing is recorded.
    /// </summary>
    public static Tensor Record(string op, Tensor output, Tensor[] inputs, Tensor?[] saved, BackwardFn backward)
    {
        if (!ShouldRecord(inputs)) return output;
        foreach (var input in inputs)
            if (input.Producer is TapeNode { Consumed: true } stale)
                throw new InvalidOperationException(
                    $"{op}: input {input.Describe()} comes from '{stale.Op}' of a graph that was already released ({stale.ReleasedBecause}); recompute it, or Detach() it to use it as a constant");
        var tape = Current;
        tape.PruneReleased();
        var node = new TapeNode(op, output, inputs, saved, backward);
        TensorScope.DisposeAtEnd(node);
        output.RequiresGrad = true;
        output.Producer = node;
        tape._nodes.Add(node);
        return output;
    }

    /// <summary>Backpropagates from the scalar <paramref name="loss"/> into the leaves' <see cref="Tensor.Grad"/>, consuming the tape.</summary>
    public static void Backward(Tensor loss, Tensor? seed = null)
    {
        loss.ThrowIfDisposed();
        if (!loss.RequiresGrad)
            throw new InvalidOperationException($"backward: {loss.Describe()} does not require a gradient (no parameter with RequiresGrad reached it, or it was computed under NoGrad)");
        if (seed is null && loss.ElementCount != 1)
            throw new InvalidOperationException($"backward: {loss.Describe()} is not a scalar; pass the output gradient explicitly");
        if (loss.Producer is TapeNode { Consumed: true } gone)
            throw new InvalidOperationException(
                $"backward: {loss.Describe()} comes from '{gone.Op}', which was already released ({gone.ReleasedBecause}); recompute it");
        Current.Run(loss, seed);
    }

    /// <summary>Drops every recorded node (e.g. after a forward pass whose gradient is not wanted).</summary>
    public void Clear()
    {
        foreach (var node in _nodes) node.Release("the tape was cleared");
        _nodes.Clear();
    }

    private void Run(Tensor loss, Tensor? seed)
    {
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        using (TensorScope.Persistent())
        {
            grads[loss] = seed is null ? Tensor.Ones(loss.Shape, loss.DType, loss.Device) : seed.Clone();
        }
        if (loss.IsLeaf)
        {
            AccumulateLeaf(loss, grads[loss]);
            return;
        }
        // Gradients live outside any scope the caller has open: the tape disposes them as it goes.
        using (TensorScope.Persistent())
        {
            for (int n = _nodes.Count - 1; n >= 0; n--)
            {
                var node = _nodes[n];
                if (!grads.Remove(node.Output, out var dy)) continue;
                var needs = node.InputsNeedingGrad();
                var dxs = node.RunBackward(dy, needs);
                node.Release("Backward() ran through it");
                if (dxs.Length != needs.Length)
                    throw new InvalidOperationException($"backward rule of '{node.Op}' returned {dxs.Length} gradients for {needs.Length} inputs");
                for (int i = 0; i < dxs.Length; i++)
                {
                    var dx = dxs[i];
                    if (dx is null || !needs[i]) continue;
                    var input = node.Inputs[i];
                    if (dx.Shape != input.Shape)
                        throw new InvalidOperationException($"backward rule of '{node.Op}' gave gradient {dx.Describe()} for input {input.Describe()}");
                    // The same tensor object may be returned for several inputs (or be dy itself): give each its own view.
                    if (ReferenceEquals(dx, dy) || Array.IndexOf(dxs, dx) < i) dx = dx.Reshape(dx.Shape.ToArray());
                    if (input.IsLeaf) AccumulateLeaf(input, dx);
                    else if (grads.Remove(input, out var existing))
                    {
                        grads[input] = Ops.Add(existing, dx);
                        existing.Dispose();
                        dx.Dispose();
                    }
                    else grads[input] = dx;
                }
                dy.Dispose();
            }
        }
        foreach (var g in grads.Values) g.Dispose();
        Clear();
    }

    /// <summary>
    /// leaf.Grad += dx. The first gradient becomes the leaf's own persistent tensor: taken over when nothing else
    /// shares its storage, copied otherwise, because later passes accumulate into it in place.
    /// </summary>
    private static void AccumulateLeaf(Tensor leaf, Tensor dx)
    {
        if (leaf.Grad is null)
        {
            bool exclusive = dx.Storage.RefCount == 1 && dx.IsContiguous && dx.Offset == 0;
            using (TensorScope.Persistent()) leaf.Grad = exclusive ? dx : dx.Clone();
            leaf.Grad.Name = leaf.Name is null ? null : leaf.Name + ".grad";
            if (exclusive) return;
        }
        else Ops.Accumulate(leaf.Grad, dx);
        dx.Dispose();
    }

    /// <summary>Forgets leading nodes that were released (forward passes whose scope ended without a backward pass).</summary>
    private void PruneReleased()
    {
        int released = 0;
        while (released < _nodes.Count && _nodes[released].Consumed) released++;
        if (released > 0) _nodes.RemoveRange(0, released);
    }
}
