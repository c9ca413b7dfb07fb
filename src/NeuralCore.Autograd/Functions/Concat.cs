using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

public static partial class F
{
    /// <summary>Joins <paramref name="xs"/> along <paramref name="axis"/>; each input's gradient is its slice of dy.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> xs, int axis)
    {
        var inputs = xs.ToArray();
        var y = Ops.Concat(inputs, axis);
        int ax = axis < 0 ? axis + y.Rank : axis;
        var lengths = Array.ConvertAll(inputs, t => t.Shape[ax]);
        return Tape.Record("concat", y, inputs, [], (dy, needs, _) =>
        {
            var grads = new Tensor?[lengths.Length];
            for (int i = 0, start = 0; i < lengths.Length; start += lengths[i], i++)
                if (needs[i]) grads[i] = Ops.SliceAxis(dy, ax, start, lengths[i]);
            return grads;
        });
    }

    /// <summary>Entries [start, start + length) of <paramref name="axis"/>; the gradient is dy padded back with zeros.</summary>
    public static Tensor SliceAxis(Tensor x, int axis, int start, int length)
    {
        var y = Ops.SliceAxis(x, axis, start, length);
        int ax = axis < 0 ? axis + x.Rank : axis;
        var (xShape, xType, xDevice) = (x.Shape, x.DType, x.Device);
        return Tape.Record("slice_axis", y, [x], [], (dy, _, _) =>
        {
            var dx = Tensor.Zeros(xShape, xType, xDevice);
            using var window = dx.Slice(ax, start, length);
            window.CopyFrom(dy);
            return [dx];
        });
    }

    /// <summary>
    /// Cuts x along <paramref name="axis"/> into pieces of <paramref name="sizes"/>. Each piece is its own
    /// <see cref="SliceAxis"/> node, so a piece that does not reach the loss costs nothing in backward.
    /// </summary>
    public static Tensor[] Split(Tensor x, int axis, IReadOnlyList<int> sizes)
    {
        int ax = axis < 0 ? axis + x.Rank : axis;
        OpCheck.That(ax >= 0 && ax < x.Rank && sizes.All(s => s >= 0) && sizes.Sum() == x.Shape[ax], "split",
            $"sizes [{string.Join(", ", sizes)}] must be >= 0 and sum to axis {axis} of x {x.Describe()}");
        var pieces = new Tensor[sizes.Count];
        for (int i = 0, start = 0; i < pieces.Length; start += sizes[i], i++) pieces[i] = SliceAxis(x, ax, start, sizes[i]);
        return pieces;
    }
}
