namespace NeuralCore.Bench.Models;

/// <summary>
/// This process's peak resident set since a reset, from the Linux kernel (VmHWM of /proc/self/status; writing 5 to
/// /proc/self/clear_refs resets it), so that a benchmark can report the peak of its timed runs apart from loading.
/// </summary>
internal static class PeakResidentSet
{
    /// <summary>Starts a new peak at the current resident set; false where the kernel does not offer it.</summary>
    public static bool Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The peak resident set since the last <see cref="Reset"/> in bytes, or null where unknown.</summary>
    public static long? Bytes()
    {
        if (!File.Exists("/proc/self/status")) return null;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
