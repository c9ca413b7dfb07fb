using NeuralCore.Kernels;
using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Autograd;

public static partial class F
{
    public static Tensor Relu(Tensor x) => Activate("relu", Activation.Relu, x, 0);

    public static Tensor Relu6(Tensor x) => Activate("relu6", Activation.Relu6, x, 0);

    public static Tensor LeakyRelu(Tensor x, double alpha) => Activate("leaky_relu", Activation.LeakyRelu, x, alpha);

    public static Tensor Sigmoid(Tensor x) => Activate("sigmoid", Activation.Sigmoid, x, 0);

    public static Tensor Tanh(Tensor x) => Activate("tanh", Activation.Tanh, x, 0);

    public static Tensor Activate(string op, Activation act, Tensor x, double alpha)
    {
        var y = Ops.Activate(op, act, x, alpha);
        // Every derivative here is a function of the output alone (sigmoid, tanh), or of the input only through its
        // sign and the clamp bounds, which the output keeps (relu, relu6, leaky slopes >= 0): act'(y) == act'(x).
        // So backward saves y and passes it in x's place, and the input (often a BatchNorm output) can be released,
        // as in PyTorch. A negative leaky slope flips the sign and needs x itself.
        bool outputSuffices = act != Activation.LeakyRelu || alpha >= 0;
        return Tape.Record(op, y, [x], outputSuffices ? [y, y] : [x, y],
            (dy, _, saved) => [Ops.ActivationBackward(act, alpha, saved[0]!, saved[1]!, dy)]);
    }
}
