using NeuralCore.Kernels.Catalog;
using NeuralCore.Kernels.Cpu;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Tests.Cpu;

/// <summary>
/// Kernels whose parallel split never changes a result (per-row work, or reductions over chunks fixed by the shape):
/// every catalog case large enough to reach the worker pool gives the same bits on 1, 2 and 3 threads.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class CpuThreadCountTests
{
    private static readonly string[] ThreadCountFreeOps =
    [
        "batch_norm", "batch_norm_backward", "max_pool2d", "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward",
        "upsample", "upsample_backward", "global_avg_pool",
    ];

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in ThreadCountFreeOps)
        {
            var op = OpCatalog.Get(name);
            for (int c = 0; c < op.Cases.Count; c++)
                if (!op.Cases[c].Bench) data.Add(name, c);
        }
        return data;
    }

    /// <summary>Small cases run on the caller alone (<see cref="CpuParallel.ParallelFloats"/>), so each op needs
    /// one whose inputs and outputs together are at least that large for the test below to split anything.</summary>
    [Fact]
    public void EveryOpHasACaseThatReachesThePool()
    {
        Assert.All(ThreadCountFreeOps, name =>
        {
            var op = OpCatalog.Get(name);
            Assert.Contains(op.Cases, opCase => !opCase.Bench && TouchedFloats(op, opCase) >= CpuParallel.ParallelFloats);
        });
    }

    private static long TouchedFloats(OpDef op, OpCase opCase) =>
        opCase.Inputs.Sum(i => (long)i.Shape.ElementCount) + Run(op, opCase).Sum(t => (long)t.ElementCount);

    [Theory]
    [MemberData(nameof(Cases))]
    public void ResultDoesNotDependOnTheThreadCount(string opName, int caseIndex)
    {
        var op = OpCatalog.Get(opName);
        var opCase = op.Cases[caseIndex];
        int threads = CpuParallel.ThreadCount;
        try
        {
            CpuParallel.ThreadCount = 1;
            var single = Run(op, opCase);
            foreach (int count in new[] { 2, 3 })
            {
                CpuParallel.ThreadCount = count;
                var split = Run(op, opCase);
                for (int i = 0; i < single.Length; i++)
                    TensorAssert.Close(single[i], split[i], Tolerance.Exact, $"{op.Name} [{opCase}] result {i}, {count} threads vs 1");
            }
        }
        finally
        {
            CpuParallel.ThreadCount = threads;
        }
    }

    /// <summary>The op's outputs followed by the inputs it updates in place.</summary>
    private static Tensor[] Run(OpDef op, OpCase opCase)
    {
        var inputs = CaseInputs.Create(opCase, DType.Float32, seed: 99);
        using var _ = Backend.Use(KernelBackend.Cpu);
        return [.. op.Run(inputs, opCase.Attrs), .. op.MutatedInputs.Select(m => inputs[m])];
    }
}
