using NeuralCore.Autograd;
using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>Keras ZeroPadding2D: [N, H, W, C] -> [N, top + H + bottom, left + W + right, C].</summary>
public sealed class ZeroPadding2d : Module
{
    private readonly Func<Shape, ZeroPadAttrs> _padsFor;

    public ZeroPadding2d(string name, int top, int bottom, int left, int right) : base(name)
    {
        var pads = new ZeroPadAttrs(top, bottom, left, right);
        _padsFor = _ => pads;
    }

    /// <summary>((p, p), (p, p)).</summary>
    public ZeroPadding2d(string name, int padding) : this(name, padding, padding, padding, padding) { }

    private ZeroPadding2d(string name, Func<Shape, ZeroPadAttrs> padsFor) : base(name) => _padsFor = padsFor;

    /// <summary>
    /// keras.applications' <c>correct_pad</c> before a stride-2 'valid' convolution of size <paramref name="kernel"/>:
    /// k/2 on each side, minus one before on an even axis, so an even input pads ((0, 1), (0, 1)) for k = 3, like 'same'.
    /// </summary>
    public static ZeroPadding2d CorrectPad(string name, int kernel) => new(name, shape =>
    {
        int half = kernel / 2;
        int top = half - (1 - shape[1] % 2), left = half - (1 - shape[2] % 2);
        return new ZeroPadAttrs(top, half, left, half);
    });

    /// <summary>The padding applied to an input of shape <paramref name="x"/> [N, H, W, C].</summary>
    public ZeroPadAttrs PaddingFor(Shape x) => _padsFor(x);

    public override Tensor Forward(Tensor x) => Traced(F.ZeroPad(x, _padsFor(x.Shape)), x);
}
