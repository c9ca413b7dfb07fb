using NeuralCore.Kernels.Catalog;
using NeuralCore.Kernels.Cpu;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Tests.Cpu;

/// <summary>
/// conv2d_backward_weight sums over every pixel, and its threads split the 32-wide column panels of dW^T (or,
/// with too few panels, a fixed set of pixel chunks), so a thread count must never change the bits (README promises
/// this for convolutions). The catalog's cases are too small to split much, so these shapes cross the edges: K 432
/// is 13.5 panels (uneven halves on two or three threads), 384 pixels are three depth blocks, N 40 leaves a partial
/// row tile, and K 27 with 1152 pixels is one panel split into two pixel chunks. The result must also match the
/// reference loops, so a split that dropped or repeated work cannot pass by being repeatable.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class ConvWeightGradThreadCountTests
{
    public static TheoryData<string, Shape, Shape, Conv2dAttrs> Convolutions => new()
    {
        { "3x3 same, K 432, N 40", [2, 16, 12, 48], [3, 3, 48, 40], new() { Padding = Padding2d.Same } },
        { "3x3 s2 same, K 576, N 64", [2, 17, 15, 64], [3, 3, 64, 64], new() { Padding = Padding2d.Same, Stride = 2 } },
        { "3x3 same, K 27 (two pixel chunks), N 40", [2, 24, 24, 3], [3, 3, 3, 40], new() { Padding = Padding2d.Same } },
    };

    [Theory]
    [MemberData(nameof(Convolutions))]
    public void WeightGradientDoesNotDependOnTheThreadCount(string label, Shape x, Shape w, Conv2dAttrs attrs)
    {
        Shape y = Ops.Conv2dOutputShape(x, w, attrs);
        var inputs = CaseInputs.Create(new OpCase(label, [new(x), new(y)]), DType.Float32, seed: 5);
        int threads = CpuParallel.ThreadCount;
        try
        {
            Tensor expected;
            using (Backend.Use(KernelBackend.Reference)) expected = Ops.Conv2dBackwardWeight(inputs[0], inputs[1], w, attrs);
            CpuParallel.ThreadCount = 1;
            using var single = RunCpu(inputs, w, attrs);
            TensorAssert.Close(expected, single, Tolerance.Accumulating, label + ", 1 thread vs reference");
            foreach (int count in new[] { 2, 3 })
            {
                CpuParallel.ThreadCount = count;
                using var split = RunCpu(inputs, w, attrs);
                TensorAssert.Close(single, split, Tolerance.Exact, $"{label}, {count} threads vs 1");
            }
            expected.Dispose();
        }
        finally
        {
            CpuParallel.ThreadCount = threads;
            foreach (var t in inputs) t.Dispose();
        }
    }

    private static Tensor RunCpu(Tensor[] inputs, Shape w, Conv2dAttrs attrs)
    {
        using var _ = Backend.Use(KernelBackend.Cpu);
        return Ops.Conv2dBackwardWeight(inputs[0], inputs[1], w, attrs);
    }
}
