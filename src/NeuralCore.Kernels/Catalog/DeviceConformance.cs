using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Catalog;

/// <summary>
/// One catalog case on a device against the Reference kernels on the host: the GPU conformance of the test suite
/// (on the emulator) and of `bench -- gpu-check` (on a CUDA card). Inputs are drawn on the host as for every backend
/// and copied to the device.
/// </summary>
public static class DeviceConformance
{
    /// <summary>Null when the outputs and updated inputs are within the op's tolerance, else what differs.</summary>
    public static string? Check(OpDef op, OpCase opCase, Device device)
    {
        var refInputs = CaseInputs.Create(opCase, DType.Float32, seed: 1234);
        Tensor[] expected;
        using (Backend.Use(KernelBackend.Reference)) expected = op.Run(refInputs, opCase.Attrs);
        var (actual, inputs) = Run(op, opCase, device);
        if (actual.Length != expected.Length) return $"{actual.Length} outputs, expected {expected.Length}";
        for (int i = 0; i < expected.Length; i++)
        {
            if (actual[i].Device != device) return $"output {i} is on {actual[i].Device}, expected {device}";
            if (ToleranceCheck.Compare(expected[i], actual[i], op.Tolerance) is { } problem) return $"output {i}: {problem}";
        }
        foreach (int m in op.MutatedInputs)
            if (ToleranceCheck.Compare(refInputs[m], inputs[m], op.Tolerance) is { } problem) return $"updated input {m}: {problem}";
        return null;
    }

    /// <summary>The case's inputs copied to <paramref name="device"/> and the op's outputs there.</summary>
    public static (Tensor[] Outputs, Tensor[] Inputs) Run(OpDef op, OpCase opCase, Device device)
    {
        var inputs = CaseInputs.Create(opCase, DType.Float32, seed: 1234).Select(t => t.To(device)).ToArray();
        return (op.Run(inputs, opCase.Attrs), inputs);
    }
}
