using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PetSeg.Data;

/// <summary>
/// Work files that carry their writer's process id in the name (<c>synthetic-*.partial-PID</c>,
/// <c>*.pscache.PID.tmp</c>): a process killed while writing leaves one behind, and the next run removes those whose
/// process is gone. Files of a running process are never touched, so two runs sharing a cache do not disturb each other.
/// </summary>
public static class StaleFiles
{
    /// <summary>True when a process with id <paramref name="pid"/> is running on this machine.</summary>
    public static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes the files and folders directly in <paramref name="folder"/> whose name matches <paramref name="name"/>
    /// (a regex with a <c>pid</c> group) and whose process is not running. Returns what it removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveOfDeadProcesses(string folder, Regex name)
    {
        var removed = new List<string>();
        if (!Directory.Exists(folder)) return removed;
        foreach (var path in Directory.EnumerateFileSystemEntries(folder))
        {
            var match = name.Match(Path.GetFileName(path));
            if (!match.Success || !int.TryParse(match.Groups["pid"].Value, out int pid) || IsRunning(pid)) continue;
            try
            {
                if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
                else File.Delete(path);
                removed.Add(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another run is removing the same leftover, or it is not ours to remove: either way, leave it.
            }
        }
        return removed;
    }
}
