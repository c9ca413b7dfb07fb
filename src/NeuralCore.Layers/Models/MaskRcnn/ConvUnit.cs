using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>
/// An inference convolution with PyTorch's symmetric padding, a per-channel bias and an optional ReLU. A convolution
/// followed by torchvision's FrozenBatchNorm2d is folded into one: the frozen affine y = x·s + (b - mean·s) with
/// s = weight / sqrt(running_var + eps) scales the kernel's output channels and becomes the bias.
/// </summary>
internal sealed class ConvUnit
{
    /// <summary>torchvision FrozenBatchNorm2d's default eps (maskrcnn_resnet50_fpn keeps it).</summary>
    public const float FrozenBatchNormEps = 1e-5f;

    private readonly Tensor _kernel, _bias;
    private readonly Conv2dAttrs _attrs;
    private readonly bool _relu;

    private ConvUnit(Tensor kernel, Tensor bias, int stride, int padding, bool relu)
    {
        _kernel = kernel;
        _bias = bias;
        _attrs = new Conv2dAttrs { Stride = stride, Padding = Padding2d.Symmetric(padding, padding) };
        _relu = relu;
    }

    public int OutChannels => _bias.ElementCount;

    /// <summary>Moves the (folded) kernel and bias to <paramref name="device"/>.</summary>
    public void MoveTo(Device device)
    {
        _kernel.MoveTo(device);
        _bias.MoveTo(device);
    }

    /// <summary>Conv2d <paramref name="name"/> (weight and bias), e.g. an FPN or head convolution.</summary>
    public static ConvUnit WithBias(MaskRcnnWeights w, string name, int inChannels, int kernel, bool relu, params string[] legacy)
    {
        var k = w.Conv(name + ".weight", inChannels, kernel, out int outChannels, legacy.Select(l => l + ".weight").ToArray());
        var b = w.Vector(name + ".bias", outChannels, legacy.Select(l => l + ".bias").ToArray());
        return new ConvUnit(k, b, 1, kernel / 2, relu);
    }

    /// <summary>Bias-free conv <paramref name="conv"/> followed by FrozenBatchNorm2d <paramref name="norm"/> (a ResNet layer).</summary>
    public static ConvUnit WithFrozenNorm(MaskRcnnWeights w, string conv, string norm, int inChannels, int kernel, int stride, int padding, bool relu)
    {
        var k = w.Conv(conv + ".weight", inChannels, kernel, out int c);
        float[] gamma = w.VectorValues(norm + ".weight", c), beta = w.VectorValues(norm + ".bias", c);
        float[] mean = w.VectorValues(norm + ".running_mean", c), variance = w.VectorValues(norm + ".running_var", c);
        if (c == 0 || gamma.Length + beta.Length + mean.Length + variance.Length != 4 * c)
            return new ConvUnit(k, Tensor.Zeros([0]), stride, padding, relu); // reported by ThrowIfIncomplete
        var scale = new float[c];
        var shift = new float[c];
        for (int o = 0; o < c; o++)
        {
            scale[o] = gamma[o] * (1f / MathF.Sqrt(variance[o] + FrozenBatchNormEps));
            shift[o] = beta[o] - mean[o] * scale[o];
        }
        using var s = Tensor.FromArray(scale, [c]);
        using (k) return new ConvUnit(Ops.Mul(k, s), Tensor.FromArray(shift, [c]), stride, padding, relu);
    }

    /// <summary>x [N, H, W, in] -> [N, OH, OW, out].</summary>
    public Tensor Forward(Tensor x)
    {
        using var conv = Ops.Conv2d(x, _kernel, _attrs);
        if (!_relu) return Ops.Add(conv, _bias);
        using var biased = Ops.Add(conv, _bias);
        return Ops.Relu(biased);
    }
}
