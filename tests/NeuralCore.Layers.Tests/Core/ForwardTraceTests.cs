using NeuralCore.Autograd;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Tests.Core;

/// <summary>The trace the ONNX exporter rebuilds a network's wiring from.</summary>
public class ForwardTraceTests
{
    [Fact]
    public void LeafCallsAreRecordedInOrderWithTheirInputsByReference()
    {
        var relu = new ReLU("relu");
        var dropout = new Dropout("dropout", 0.5, new RandomGenerator(1));
        var concat = new Concatenate("concat");
        dropout.Eval();
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var x = Tensor.Full([1, 2, 2, 3], -1);
        Tensor y, kept, joined;
        using (var trace = ForwardTrace.Begin())
        {
            y = relu.Forward(x);
            kept = dropout.Forward(y);
            joined = concat.Forward(x, kept);
            Assert.Equal(["relu", "dropout", "concat"], trace.Calls.Select(c => c.Layer.Name).ToArray());
            Assert.Same(x, trace.Calls[0].Inputs[0]);
            Assert.Same(y, trace.Calls[0].Output);
            Assert.Same(y, trace.Calls[1].Output); // inference-mode dropout hands its input back
            Assert.Equal([x, y], trace.Calls[2].Inputs);
            Assert.Equal(new Shape([1, 2, 2, 3]), trace.Calls[2].InputShapes[1]);
            Assert.Same(joined, trace.Calls[2].Output);
        }
    }

    [Fact]
    public void TracesEndInReverseOrder()
    {
        var outer = ForwardTrace.Begin();
        var inner = ForwardTrace.Begin();
        Assert.Throws<InvalidOperationException>(outer.Dispose);
        inner.Dispose();
        outer.Dispose();
    }
}
