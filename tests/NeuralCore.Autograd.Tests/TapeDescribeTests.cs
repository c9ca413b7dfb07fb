using NeuralCore.Tensors;

namespace NeuralCore.Autograd.Tests;

/// <summary>The tape's public view of the recorded graph (<see cref="Tape.LiveNodes"/>, <see cref="Tape.Describe"/>).</summary>
public class TapeDescribeTests
{
    private static Tensor Named(string name, int[] shape, bool requiresGrad)
    {
        var t = Tensor.Full(shape, 0.5);
        t.Name = name;
        t.RequiresGrad = requiresGrad;
        return t;
    }

    [Fact]
    public void DescribeListsEachLiveNodeWithItsInputsByNumberOrName()
    {
        Tape.Current.Clear();
        using var scope = TensorScope.Begin();
        var x = Named("x", [4, 3], requiresGrad: false);
        var w = Named("w", [3, 2], requiresGrad: true);
        var b = Named("b", [2], requiresGrad: true);
        var loss = F.Sum(F.Relu(F.Add(F.Matmul(x, w), b)));

        Assert.Equal(["matmul", "add", "relu", "sum"], Tape.Current.LiveNodes().Select(n => n.Op));
        Assert.Equal(
            "[0] matmul('x' float32 [4, 3], 'w' float32 [3, 2]) -> float32 [4, 2]\n" +
            "[1] add([0], 'b' float32 [2]) -> float32 [4, 2]\n" +
            "[2] relu([1]) -> float32 [4, 2]\n" +
            "[3] sum([2]) -> float32 []\n",
            Tape.Current.Describe());

        loss.Backward();
        Assert.Empty(Tape.Current.LiveNodes());
        Assert.Equal("", Tape.Current.Describe());
    }

    [Fact]
    public void NodesWhoseScopeEndedAreNotListed()
    {
        Tape.Current.Clear();
        var w = Named("w", [2], requiresGrad: true);
        using (TensorScope.Begin()) F.Relu(w);
        using var scope = TensorScope.Begin();
        F.Tanh(w);
        Assert.Equal("[0] tanh('w' float32 [2]) -> float32 [2]\n", Tape.Current.Describe());
    }
}
