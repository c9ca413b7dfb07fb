using NeuralCore.Layers.Import;

namespace PetSeg.Training;

/// <summary>The files of a run folder: options, checkpoints, metrics, curves, report.</summary>
public sealed class RunFolder
{
    public RunFolder(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string Options => Path.Combine(Root, "options.json");

    /// <summary>Written after every epoch and on interruption: what <c>--resume</c> continues from.</summary>
    public string LastCheckpoint => Path.Combine(Root, "last.safetensors");

    /// <summary>The epoch with the best validation mean IoU.</summary>
    public string BestCheckpoint => Path.Combine(Root, "best.safetensors");

    public string Metrics => Path.Combine(Root, "metrics.csv");

    public string Report => Path.Combine(Root, "report.md");

    public string File(string name) => Path.Combine(Root, name);

    /// <summary>
    /// Creates the folder if needed and takes its lock (see <see cref="RunLock"/>); then removes the temporary files
    /// of writes that a killed run left unfinished, which only the lock holder may do.
    /// </summary>
    public RunLock Claim()
    {
        Directory.CreateDirectory(Root);
        var runLock = RunLock.Acquire(Root);
        foreach (var path in Directory.EnumerateFiles(Root).Where(p => AtomicFile.IsTemporary(Path.GetFileName(p))))
            System.IO.File.Delete(path);
        return runLock;
    }

    /// <summary>
    /// The checkpoints to try for a path given as a file (that file) or a run folder (its best, then its last, as far
    /// as they exist), for <see cref="CheckpointFallback"/>.
    /// </summary>
    public static IReadOnlyList<string> CheckpointCandidates(string path)
    {
        if (System.IO.File.Exists(path)) return [path];
        if (Directory.Exists(path))
        {
            var run = new RunFolder(path);
            var existing = new[] { run.BestCheckpoint, run.LastCheckpoint }.Where(System.IO.File.Exists).ToList();
            if (existing.Count == 0) throw new FileNotFoundException($"{path}: run folder has no best.safetensors or last.safetensors");
            return existing;
        }
        throw new FileNotFoundException($"{path}: no such checkpoint file or run folder");
    }

    /// <summary>A default run folder name: runs/&lt;model&gt;-&lt;timestamp&gt;.</summary>
    public static string DefaultFor(string model) => Path.Combine("runs", $"{model}-{DateTime.Now:yyyyMMdd-HHmmss}");
}
