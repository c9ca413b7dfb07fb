using NeuralCore.Tests;
using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Tests.Gpu;

/// <summary>
/// Every catalog op on the GPU backend (its kernels running on the emulator, ILGPU's CPU accelerator) against the
/// Reference kernels, on the catalog's cases. Generated from the catalog like the Cpu conformance: an op without a
/// GPU kernel fails here. The emulator is about 1,000x slower than plain C#, so CI runs the cases of at most
/// <see cref="MaxEmulatedWork"/>; the larger ones run with NEURALCORE_EMULATOR_LARGE=1 and <c>--filter Emulator=Large</c>.
/// </summary>
public class GpuConformanceTests
{
    /// <summary>Elements read and written plus multiply-adds: about a second of emulation at most.</summary>
    public const double MaxEmulatedWork = 300_000;

    public static double WorkOf(OpDef op, OpCase opCase) =>
        opCase.Inputs.Sum(i => (double)i.Shape.ElementCount) * 2 + (op.Flops?.Invoke(opCase) ?? 0) / 2;

    public static bool IsSmall(OpDef op, OpCase opCase) => !opCase.Bench && WorkOf(op, opCase) <= MaxEmulatedWork;

    public static TheoryData<string, int> SmallCases() => CasesWhere(small: true);

    public static TheoryData<string, int> LargeCases() => CasesWhere(small: false);

    [Theory]
    [MemberData(nameof(SmallCases))]
    public void GpuMatchesReference(string opName, int caseIndex) => CheckCase(opName, caseIndex);

    [EmulatorLargeTheory]
    [Trait("Emulator", "Large")]
    [MemberData(nameof(LargeCases))]
    public void GpuMatchesReferenceOnLargerCases(string opName, int caseIndex) => CheckCase(opName, caseIndex);

    /// <summary>Same inputs, same bits, run after run: GPU reductions have a fixed order too.</summary>
    [Theory]
    [MemberData(nameof(SmallCases))]
    public void GpuIsBitReproducible(string opName, int caseIndex)
    {
        var op = OpCatalog.Get(opName);
        var opCase = op.Cases[caseIndex];
        var (first, firstInputs) = DeviceConformance.Run(op, opCase, Device.Emulated);
        var (second, secondInputs) = DeviceConformance.Run(op, opCase, Device.Emulated);
        for (int i = 0; i < first.Length; i++)
            TensorAssert.Close(first[i], second[i], Tolerance.Exact, $"{op.Name} [{opCase}] output {i}, second run on the emulator");
        foreach (int m in op.MutatedInputs)
            TensorAssert.Close(firstInputs[m], secondInputs[m], Tolerance.Exact, $"{op.Name} [{opCase}] updated input {m}, second run");
    }

    [Fact]
    public void EveryOpHasACaseSmallEnoughForTheEmulator()
    {
        var missing = OpCatalog.All.Where(o => !o.Cases.Any(c => IsSmall(o, c))).Select(o => o.Name).ToList();
        Assert.True(missing.Count == 0, "ops with no catalog case small enough for the emulator: " + string.Join(", ", missing));
    }

    private static void CheckCase(string opName, int caseIndex)
    {
        var op = OpCatalog.Get(opName);
        var opCase = op.Cases[caseIndex];
        if (DeviceConformance.Check(op, opCase, Device.Emulated) is { } problem) Assert.Fail($"{op.Name} [{opCase}] on the emulator: {problem}");
    }

    private static TheoryData<string, int> CasesWhere(bool small)
    {
        var data = new TheoryData<string, int>();
        foreach (var op in OpCatalog.All)
            for (int c = 0; c < op.Cases.Count; c++)
                if (!op.Cases[c].Bench && IsSmall(op, op.Cases[c]) == small) data.Add(op.Name, c);
        return data;
    }
}
