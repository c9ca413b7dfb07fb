namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Whether the Cpu backend may run 3x3 stride-1 convolutions with Winograd's algorithm (<see cref="WinogradConv"/>),
/// which needs fewer multiplications but rounds differently from the direct sum over taps. Set
/// <c>NEURALCORE_CONV_ALGORITHM=direct</c> (read once at start-up) to get the implicit-GEMM rounding everywhere;
/// <c>auto</c> (the default) lets each convolution take the faster path.
/// </summary>
public static class ConvAlgorithmSetting
{
    /// <summary>Environment variable read at start-up: <c>auto</c> or <c>direct</c>.</summary>
    public const string Variable = "NEURALCORE_CONV_ALGORITHM";

    /// <summary>False forces the direct (implicit-GEMM) algorithm for every convolution.</summary>
    public static bool WinogradAllowed { get; set; } = Read();

    private static bool Read()
    {
        string? text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text)) return true;
        return text.Trim().ToLowerInvariant() switch
        {
            "auto" => true,
            "direct" => false,
            _ => throw new InvalidOperationException($"{Variable}='{text}': expected 'auto' or 'direct'"),
        };
    }
}
