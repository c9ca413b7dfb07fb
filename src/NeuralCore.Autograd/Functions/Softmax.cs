using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

public static partial class F
{
    /// <summary>Softmax over the last axis. x [..., K] -> y [..., K].</summary>
    public static Tensor Softmax(Tensor x)
    {
        var y = Ops.Softmax(x);
        return Tape.Record("softmax", y, [x], [y], (dy, _, saved) => [Ops.SoftmaxBackward(saved[0]!, dy)]);
    }

    /// <summary>log(softmax(x)) over the last axis. x [..., K] -> y [..., K].</summary>
    public static Tensor LogSoftmax(Tensor x)
    {
        var y = Ops.LogSoftmax(x);
        return Tape.Record("log_softmax", y, [x], [y], (dy, _, saved) => [Ops.LogSoftmaxBackward(saved[0]!, dy)]);
    }
}
