using NeuralCore.Autograd;
using NeuralCore.Kernels;
using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>Keras' pooling padding: 'valid' (windows that fit) or TensorFlow 'same' (out = ceil(in / stride)).</summary>
public enum PoolPadding
{
    Valid,
    Same,
}

/// <summary>Shared window geometry of the 2-D pools; 'same' pads depend on the input size, so they are resolved per call.</summary>
public abstract class Pool2dLayer : Module
{
    private readonly Size2d _poolSize;
    private readonly Size2d _strides;
    private readonly PoolPadding _padding;

    protected Pool2dLayer(string name, Size2d poolSize, Size2d? strides, PoolPadding padding) : base(name)
    {
        _poolSize = poolSize;
        _strides = strides ?? poolSize;
        _padding = padding;
    }

    /// <summary>The op attributes for an input of shape <paramref name="x"/> [N, H, W, C] ('same' pads depend on it).</summary>
    public Pool2dAttrs AttrsFor(Shape x) => _padding == PoolPadding.Same
        ? Pool2dAttrs.Same(_poolSize.H, _poolSize.W, _strides.H, _strides.W, x[1], x[2])
        : new Pool2dAttrs(_poolSize.H, _poolSize.W, _strides.H, _strides.W);
}

/// <summary>Keras MaxPooling2D: [N, H, W, C] -> [N, OH, OW, C]; strides default to the pool size.</summary>
public sealed class MaxPool2d(string name, Size2d poolSize, Size2d? strides = null, PoolPadding padding = PoolPadding.Valid)
    : Pool2dLayer(name, poolSize, strides, padding)
{
    public override Tensor Forward(Tensor x) => Traced(F.MaxPool2d(x, AttrsFor(x.Shape)), x);
}

/// <summary>Keras AveragePooling2D: [N, H, W, C] -> [N, OH, OW, C]; padded cells are not counted.</summary>
public sealed class AvgPool2d(string name, Size2d poolSize, Size2d? strides = null, PoolPadding padding = PoolPadding.Valid)
    : Pool2dLayer(name, poolSize, strides, padding)
{
    public override Tensor Forward(Tensor x) => Traced(F.AvgPool2d(x, AttrsFor(x.Shape)), x);
}

/// <summary>Keras GlobalAveragePooling2D: [N, H, W, C] -> [N, C] (or [N, 1, 1, C] with keepDims).</summary>
public sealed class GlobalAvgPool2d(string name = "global_average_pooling2d", bool keepDims = false) : Module(name)
{
    public override Tensor Forward(Tensor x) => Traced(F.GlobalAvgPool(x, keepDims), x);
}
