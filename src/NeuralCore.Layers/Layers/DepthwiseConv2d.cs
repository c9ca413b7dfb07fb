using NeuralCore.Autograd;
using NeuralCore.Kernels;
using NeuralCore.Layers.Import;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>
/// Keras DepthwiseConv2D: each of the C input channels of x [N, H, W, C] is convolved with its own
/// <c>depthMultiplier</c> filters; y [N, OH, OW, C*mult]. Our "depthwise_kernel" is [KH, KW, 1, C*mult] (a grouped
/// convolution with groups = C); Keras stores (KH, KW, C, mult). Output channel c*mult + m belongs to input channel c
/// in both, so the two layouts hold the same elements in the same order and only the shape differs.
/// </summary>
public sealed class DepthwiseConv2d : Module, IKerasLayout
{
    private readonly Shape _kerasKernelShape;

    public DepthwiseConv2d(string name, int channels, Size2d kernelSize, RandomGenerator rng, Size2d? strides = null,
        Padding2d padding = default, int depthMultiplier = 1, bool useBias = true, Initializer? kernelInitializer = null) : base(name)
    {
        _kerasKernelShape = [kernelSize.H, kernelSize.W, channels, depthMultiplier];
        // Keras draws glorot-uniform with the fans of its own (KH, KW, C, mult) shape.
        var init = new InKerasShape(_kerasKernelShape, kernelInitializer ?? Initializer.GlorotUniform(rng));
        Kernel = AddParameter("depthwise_kernel", [kernelSize.H, kernelSize.W, 1, channels * depthMultiplier], init);
        Bias = useBias ? AddParameter("bias", [channels * depthMultiplier], Initializer.Zeros) : null;
        Attrs = new Conv2dAttrs { Padding = padding, Stride = strides ?? 1, Groups = channels };
    }

    /// <summary>[KH, KW, 1, C*mult]</summary>
    public Tensor Kernel { get; }

    public Tensor? Bias { get; }

    /// <summary>The convolution's attributes (groups = input channels).</summary>
    public Conv2dAttrs Attrs { get; }

    public override Tensor Forward(Tensor x)
    {
        var y = F.Conv2d(x, Kernel, Attrs);
        return Traced(Bias is null ? y : F.Add(y, Bias).Releasing(y), x);
    }

    public Shape KerasShape(int weightIndex) => weightIndex == 0 ? _kerasKernelShape : Bias!.Shape;

    public void FromKeras(int weightIndex, ReadOnlySpan<float> src, Span<float> dst) => src.CopyTo(dst);

    public void ToKeras(int weightIndex, ReadOnlySpan<float> src, Span<float> dst) => src.CopyTo(dst);

    /// <summary>Fills a tensor through a view with Keras' shape, so shape-dependent initialisers see Keras' fans.</summary>
    private sealed class InKerasShape(Shape kerasShape, Initializer inner) : Initializer
    {
        public override void Fill(Tensor t)
        {
            using var view = t.Reshape(kerasShape.ToArray());
            inner.Fill(view);
        }
    }
}
