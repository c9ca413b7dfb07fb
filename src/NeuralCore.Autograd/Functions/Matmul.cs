using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

public static partial class F
{
    /// <summary>y = op(a) @ op(b) (op = transpose of the last two axes when its flag is set); backward via matmul.</summary>
    public static Tensor Matmul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false) =>
        Tape.Record("matmul", Ops.Matmul(a, b, transposeA, transposeB), [a, b], [b.RequiresGrad ? a : null, a.RequiresGrad ? b : null],
            (dy, needs, saved) =>
            {
                var (sa, sb) = (saved[0], saved[1]);
                return
                [
                    // d op(a) = dy op(b)^T, so da = dy op(b)^T, or its transpose op(b) dy^T when a was transposed.
                    needs[0] ? (transposeA ? Ops.Matmul(sb!, dy, transposeB, true) : Ops.Matmul(dy, sb!, false, !transposeB)) : null,
                    // d op(b) = op(a)^T dy, so db = op(a)^T dy, or its transpose dy^T op(a) when b was transposed.
                    needs[1] ? (transposeB ? Ops.Matmul(dy, sa!, true, transposeA) : Ops.Matmul(sa!, dy, !transposeA, false)) : null,
                ];
            });
}
