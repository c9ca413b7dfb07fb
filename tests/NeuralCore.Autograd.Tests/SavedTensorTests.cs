using NeuralCore.Kernels;
using NeuralCore.Tensors;
using NeuralCore.Tensors.Memory;

namespace NeuralCore.Autograd.Tests;

/// <summary>
/// What the tape keeps alive: only the tensors backward rules saved, through the nodes' own references, until
/// backward has run through the node, the tape is cleared or the node's scope ends. Forward code may release
/// everything else as soon as it has no further use, without changing a gradient.
/// </summary>
public class SavedTensorTests
{
    private static Tensor Param(params double[] values)
    {
        var t = Tensor.FromArray(values, [values.Length]);
        t.RequiresGrad = true;
        return t;
    }

    [Fact]
    public void AnUnsavedIntermediateIsFreedAtItsLastUseAndASavedOneLivesUntilBackwardReachesItsNode()
    {
        using var scope = TensorScope.Begin();
        var w = Param(-1, 2, 3);
        var scaled = F.Scale(w, 2);       // no rule saves it: relu keeps its output, not its input
        var activated = F.Relu(scaled);   // saved by relu (its output) and by mul (the other factor of w)
        var product = F.Mul(activated, w);
        var (scaledStorage, activatedStorage) = (scaled.Storage, activated.Storage);

        scaled.Dispose();
        activated.Dispose();
        Assert.True(scaledStorage.IsReleased);
        Assert.False(activatedStorage.IsReleased);

        using var loss = F.Sum(product);
        loss.Backward();
        Assert.True(activatedStorage.IsReleased);
        // d/dw sum(relu(2w) * w) = relu(2w) + w * 2 * [w > 0] = 4w for w > 0, 0 otherwise
        Assert.Equal([0.0, 8, 12], w.Grad!.ToDoubleArray());
    }

    [Fact]
    public void ReleasingIntermediatesEarlyGivesTheSameGradientsBitForBit()
    {
        double[] Gradient(bool releaseEarly)
        {
            using var scope = TensorScope.Begin();
            var w = Param(0.3, -1.7, 2.5, 0.9);
            var h = F.Scale(w, 1.5);
            var a = F.Sigmoid(h);
            var b = F.Mul(a, F.Tanh(w));
            var c = F.Div(b, F.Add(a, Tensor.Scalar(2.0, DType.Float64)));
            if (releaseEarly)
                foreach (var t in new[] { h, a, b }) t.Dispose();
            using var loss = F.Sum(F.Relu6(c));
            loss.Backward();
            return w.Grad!.ToDoubleArray();
        }
        Assert.Equal(Gradient(releaseEarly: false), Gradient(releaseEarly: true));
    }

    [Fact]
    public void AFrozenKernelKeepsNoInputAliveButATrainableOneDoes()
    {
        using var scope = TensorScope.Begin();
        var attrs = new Conv2dAttrs { Padding = Padding2d.Same };
        var x = Tensor.Full([1, 3, 3, 2], 0.5, DType.Float64);
        var trainable = Tensor.Full([1, 1, 2, 2], 0.25, DType.Float64);
        trainable.RequiresGrad = true;
        var frozen = Tensor.Full([1, 1, 2, 2], 0.25, DType.Float64);

        var hidden = F.Conv2d(x, trainable, attrs);   // dw needs x: saved
        var output = F.Conv2d(hidden, frozen, attrs); // dx needs only the kernel: hidden is not saved
        var (xStorage, hiddenStorage) = (x.Storage, hidden.Storage);
        x.Dispose();
        hidden.Dispose();
        Assert.False(xStorage.IsReleased);
        Assert.True(hiddenStorage.IsReleased);

        using var loss = F.Sum(output);
        loss.Backward();
        Assert.True(xStorage.IsReleased);
        // 1x1 kernels: dL/dhidden = 2 output channels * 0.25 at each of 9 pixels, times x = 0.5.
        Assert.Equal(Enumerable.Repeat(9 * 0.5 * 0.5, 4), trainable.Grad!.ToDoubleArray());
    }

    [Fact]
    public void AGraphWhoseScopeEndsWithoutBackwardGivesItsSavedTensorsBackAndCannotBeBackpropagatedLater()
    {
        var w = Param(1, 2);
        Storage saved;
        Tensor loss;
        using (TensorScope.Begin())
        {
            var h = F.Relu(F.Scale(w, 2));
            saved = h.Storage;
            using (TensorScope.Persistent()) loss = F.Sum(h);
        }
        Assert.True(saved.IsReleased);
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("'sum'", e.Message);
        Assert.Contains("TensorScope", e.Message);
        loss.Dispose();
        Assert.Null(w.Grad);
    }

    [Fact]
    public void UsingAReleasedIntermediateIsAnErrorThatNamesIt()
    {
        var w = Param(1, 2);
        var h = F.Scale(w, 2);
        h.Name = "hidden";
        h.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => F.Relu(h));
        Assert.Contains("'hidden'", e.Message);
        Tape.Current.Clear();
    }

    [Fact]
    public void ANegativeLeakySlopeStillGetsItsGradientFromTheInput()
    {
        // The output alone cannot tell a negative input from a positive one when the slope is negative.
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(new[] { -1.5, -0.25, 0.5, 2.0 }, [4]);
        var result = GradCheck.Check(t => F.LeakyRelu(t[0], -0.4), [x], [0]);
        Assert.True(result.Passed, result.ToString());
    }
}
