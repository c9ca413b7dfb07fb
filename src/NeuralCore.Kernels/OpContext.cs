namespace NeuralCore.Kernels;

/// <summary>
/// The last op dispatched on this thread, so that errors raised below the op layer (a device allocation failing)
/// can name it.
/// </summary>
public static class OpContext
{
    [ThreadStatic] private static string? _last;

    public static string? LastOp => _last;

    internal static void Enter(string op) => _last = op;
}
