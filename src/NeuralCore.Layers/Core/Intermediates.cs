using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>
/// Early release of forward intermediates. A tensor created in a training step otherwise lives until the step's
/// <see cref="TensorScope"/> ends; forward code that knows a tensor's last use releases it right there instead.
/// That is always safe for the gradient: a backward rule keeps its own reference to whatever it saved (see the
/// tape), so the storage goes back to the pool only if no rule needs it (PyTorch frees such tensors the same way,
/// when the last Python reference goes).
/// </summary>
public static class Intermediates
{
    /// <summary>
    /// Returns <paramref name="result"/> after releasing <paramref name="consumed"/>, an intermediate this forward
    /// pass created and will not use again. Nothing is released when the two are the same tensor (an identity layer
    /// handed its input back). Never pass a tensor the caller does not own: the module's input, a tap, an output.
    /// </summary>
    /// <example><code>y = F.Add(y, Bias).Releasing(y);</code></example>
    public static Tensor Releasing(this Tensor result, Tensor consumed)
    {
        if (!ReferenceEquals(result, consumed)) consumed.Dispose();
        return result;
    }
}
