using System.Diagnostics;
using System.Globalization;

namespace NeuralCore.Bench.Models;

/// <summary>
/// torchvision's Mask R-CNN as a child process (bench/Models/maskrcnn_full_size.py --serve), so that `bench -- maskrcnn`
/// can time it between our runs on the same machine state: it loads the folder's weights and photo once, then runs one
/// inference per request and reports its seconds, and its peak resident set on request (whole process and since a reset).
/// </summary>
internal sealed class TorchvisionMaskRcnnProcess : IDisposable
{
    private readonly Process _process;

    public TorchvisionMaskRcnnProcess(string python, string dir, int threads)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { ScriptPath(), dir, "--serve", "--threads", threads.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"maskrcnn: could not start {python}");
        string? ready = _process.StandardOutput.ReadLine();
        if (ready != "ready")
            throw new InvalidOperationException($"maskrcnn: {python} maskrcnn_full_size.py --serve did not start (said '{ready}'; see its error above)");
    }

    /// <summary>One inference of torchvision on the photo, in seconds as measured inside Python (no pipe overhead).</summary>
    public double Run() => Ask("run");

    /// <summary>Starts a new peak resident set of the child at its current size (Linux clear_refs).</summary>
    public void ResetPeak()
    {
        if (Send("reset") != "ok") throw new InvalidOperationException("maskrcnn: torchvision child could not reset its peak resident set");
    }

    /// <summary>The child's peak resident set in bytes: of the whole process (ru_maxrss) and since <see cref="ResetPeak"/> (VmHWM).</summary>
    public (long Whole, long SinceReset) PeakBytes()
    {
        string? answer = Send("memory");
        var parts = answer?.Split(' ');
        return parts is { Length: 2 } && long.TryParse(parts[0], CultureInfo.InvariantCulture, out long whole)
            && long.TryParse(parts[1], CultureInfo.InvariantCulture, out long since)
            ? (whole, since)
            : throw new InvalidOperationException($"maskrcnn: torchvision child answered '{answer}' to 'memory'");
    }

    private double Ask(string command)
    {
        string? answer = Send(command);
        return double.TryParse(answer, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new InvalidOperationException($"maskrcnn: torchvision child answered '{answer}' to '{command}'");
    }

    private string? Send(string command)
    {
        _process.StandardInput.WriteLine(command);
        _process.StandardInput.Flush();
        return _process.StandardOutput.ReadLine();
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(30_000)) _process.Kill();
        _process.Dispose();
    }

    private static string ScriptPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "Models", "maskrcnn_full_size.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"maskrcnn: bench/Models/maskrcnn_full_size.py not found above {AppContext.BaseDirectory}");
    }
}
