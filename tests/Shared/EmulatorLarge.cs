namespace NeuralCore.Tests;

/// <summary>
/// The larger emulator runs (whole seed models, the catalog's bigger cases, training through the CLI): each takes
/// minutes to tens of minutes of ILGPU's CPU accelerator, so they skip unless NEURALCORE_EMULATOR_LARGE=1 and are
/// meant to be picked with their trait: <c>NEURALCORE_EMULATOR_LARGE=1 dotnet test -c Release --filter Emulator=Large</c>.
/// </summary>
internal static class EmulatorLarge
{
    public const string Variable = "NEURALCORE_EMULATOR_LARGE";

    public static string? SkipReason =>
        Environment.GetEnvironmentVariable(Variable) == "1" ? null : $"a larger emulator run: set {Variable}=1 (and --filter Emulator=Large)";
}

/// <summary>A fact that runs only with NEURALCORE_EMULATOR_LARGE=1 (see <see cref="EmulatorLarge"/>).</summary>
internal sealed class EmulatorLargeFactAttribute : FactAttribute
{
    public EmulatorLargeFactAttribute() => Skip = EmulatorLarge.SkipReason;
}

/// <summary>A theory that runs only with NEURALCORE_EMULATOR_LARGE=1 (see <see cref="EmulatorLarge"/>).</summary>
internal sealed class EmulatorLargeTheoryAttribute : TheoryAttribute
{
    public EmulatorLargeTheoryAttribute() => Skip = EmulatorLarge.SkipReason;
}
