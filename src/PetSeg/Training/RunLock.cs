using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using PetSeg.Data;

namespace PetSeg.Training;

/// <summary>
/// One training at a time in a run folder: <c>RUN/.lock</c> holds the owner's process id and start time. A second
/// <c>train</c> on the folder refuses, naming the folder and the owner; a lock whose process is gone (killed, crashed,
/// or its id reused by another program) is taken over. The lock file appears by an atomic rename, so it is never seen
/// half-written, and a take-over moves the stale file aside first, so two runs cannot both take it.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = ".lock";

    /// <summary>This class's own work files (<c>.lock.PID.tmp</c>, <c>.lock.stale-PID.tmp</c>), left only by a killed process.</summary>
    private static readonly Regex WorkFile = new(@"^\.lock\.(stale-)?(?<pid>\d+)\.tmp$");

    private readonly string _path;
    private readonly string _content;

    private RunLock(string path, string content)
    {
        _path = path;
        _content = content;
    }

    /// <summary>Throws when a running process holds <paramref name="runRoot"/>'s lock; checks only, takes nothing.</summary>
    public static void ThrowIfHeld(string runRoot)
    {
        var path = Path.Combine(runRoot, FileName);
        if (ReadLock(path) is { } content && Holder(content) is { } pid) throw InUse(runRoot, pid);
    }

    /// <summary>Takes the lock of <paramref name="runRoot"/> (which must exist) for this process.</summary>
    public static RunLock Acquire(string runRoot)
    {
        var path = Path.Combine(runRoot, FileName);
        string content = Describe(Environment.ProcessId);
        StaleFiles.RemoveOfDeadProcesses(runRoot, WorkFile);
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var temporary = Path.Combine(runRoot, $"{FileName}.{Environment.ProcessId}.tmp");
            File.WriteAllText(temporary, content);
            try
            {
                File.Move(temporary, path, overwrite: false);
                return new RunLock(path, content);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
            }
            var found = ReadLock(path);
            if (found is null) continue; // released meanwhile
            if (Holder(found) is { } pid) throw InUse(runRoot, pid);
            TakeOverStale(path, found);
        }
        throw new IOException($"{runRoot}: could not take the run folder's lock {path}: other runs keep taking it");
    }

    /// <summary>Releases the lock if it is still this process's.</summary>
    public void Dispose()
    {
        if (ReadLock(_path) == _content) File.Delete(_path);
    }

    private static InvalidOperationException InUse(string runRoot, int pid) =>
        new($"{runRoot} is in use by process {pid} (lock file {Path.Combine(runRoot, FileName)}); wait for it to finish or choose another --out");

    /// <summary>Moves a stale lock aside; if another run replaced it meanwhile, puts that one back.</summary>
    private static void TakeOverStale(string path, string staleContent)
    {
        var aside = $"{path}.stale-{Environment.ProcessId}.tmp";
        try
        {
            File.Move(path, aside, overwrite: true);
        }
        catch (FileNotFoundException)
        {
            return;
        }
        if (File.ReadAllText(aside) == staleContent) File.Delete(aside);
        else File.Move(aside, path, overwrite: false);
    }

    private static string? ReadLock(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>"PID START-TICKS": the start time tells a live owner from a later process that got the same id.</summary>
    private static string Describe(int pid) => $"{pid} {StartTicks(pid)?.ToString(CultureInfo.InvariantCulture) ?? "?"}\n";

    /// <summary>The id of the running process that holds a lock with this content, or null when it is stale.</summary>
    private static int? Holder(string content)
    {
        var parts = content.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int pid) || !StaleFiles.IsRunning(pid)) return null;
        if (!long.TryParse(parts[1], CultureInfo.InvariantCulture, out long recorded)) return pid;
        // Start times read from /proc can differ by a clock tick between readers.
        return StartTicks(pid) is not { } now || Math.Abs(now - recorded) <= TimeSpan.TicksPerSecond ? pid : null;
    }

    private static long? StartTicks(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime().Ticks;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }
}
