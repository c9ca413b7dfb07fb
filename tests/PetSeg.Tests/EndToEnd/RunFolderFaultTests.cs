using System.Diagnostics;
using NeuralCore.Layers.Checkpoints;
using PetSeg.Reports;
using PetSeg.Training;

namespace PetSeg.Tests.EndToEnd;

/// <summary>
/// A run folder survives faults: a damaged best or last checkpoint is passed over (saying so) by eval, predict and
/// --resume, and --resume makes the folder whole again; two trainings never share a folder, a dead one's lock is taken
/// over; work files of killed processes are removed by the next run.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RunFolderFaultTests(TrainedRun run)
{
    /// <summary>A copy of the trained run's folder (checkpoints, options, metrics) to damage.</summary>
    private RunFolder CopyOfRun(string name)
    {
        var copy = new RunFolder(Path.Combine(run.Temp, name));
        Directory.CreateDirectory(copy.Root);
        foreach (var file in Directory.GetFiles(run.Folder)) File.Copy(file, Path.Combine(copy.Root, Path.GetFileName(file)));
        return copy;
    }

    private static void Truncate(string path) => File.WriteAllBytes(path, File.ReadAllBytes(path).AsSpan(0, (int)new FileInfo(path).Length / 2).ToArray());

    /// <summary>Garbage over the header length and the start of the JSON header, the size unchanged.</summary>
    private static void Scramble(string path)
    {
        using var file = File.OpenWrite(path);
        file.Write(Enumerable.Range(0, 64).Select(i => (byte)(0xA5 ^ i)).ToArray());
    }

    private static string OneLine(string err) => Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    [Theory]
    [InlineData("truncate")]
    [InlineData("scramble")]
    public void Eval_and_predict_fall_back_to_last_when_best_is_damaged(string damage)
    {
        var folder = CopyOfRun("damaged-best-" + damage);
        if (damage == "truncate") Truncate(folder.BestCheckpoint);
        else Scramble(folder.BestCheckpoint);

        var (code, output, err) = TrainedRun.Cli("eval", "--checkpoint", folder.Root);
        Assert.True(code == 0, err);
        var warning = OneLine(err);
        Assert.StartsWith($"petseg: warning: {folder.BestCheckpoint} is damaged (", warning);
        Assert.EndsWith($"; using {folder.LastCheckpoint} instead", warning);
        Assert.Contains($"{folder.LastCheckpoint}: unet-mobilenetv2", output);

        var image = Directory.GetFiles(Path.Combine(run.Temp, "cache"), "*.jpg", SearchOption.AllDirectories).First();
        var outDir = Path.Combine(run.Temp, "predict-damaged-" + damage);
        (code, _, err) = TrainedRun.Cli("predict", "--checkpoint", folder.Root, "--input", image, "--out", outDir);
        Assert.True(code == 0, err);
        Assert.Equal(warning, OneLine(err));
        Assert.True(File.Exists(Path.Combine(outDir, Path.GetFileNameWithoutExtension(image) + ".png")));
    }

    [Fact]
    public void Eval_falls_back_to_best_when_last_is_damaged_and_fails_in_one_line_when_both_are()
    {
        var folder = CopyOfRun("damaged-both");
        File.Delete(folder.BestCheckpoint);
        File.Copy(folder.LastCheckpoint, folder.BestCheckpoint);
        Scramble(folder.LastCheckpoint);
        var (code, _, err) = TrainedRun.Cli("eval", "--checkpoint", folder.Root);
        Assert.True(code == 0, err);
        Assert.Empty(err); // best is tried first and is whole

        Truncate(folder.BestCheckpoint);
        (code, _, err) = TrainedRun.Cli("eval", "--checkpoint", folder.Root);
        Assert.Equal(1, code);
        var line = OneLine(err);
        Assert.StartsWith("petseg: no readable checkpoint: ", line);
        Assert.Contains($"{folder.BestCheckpoint} is damaged", line);
        Assert.Contains($"{folder.LastCheckpoint} is damaged", line);
    }

    [Fact]
    public void Resume_from_a_damaged_last_uses_best_and_extends_the_run()
    {
        var folder = CopyOfRun("resume-damaged-last");
        int bestEpoch = Checkpoint.ReadInfo(folder.BestCheckpoint).Epoch;
        Scramble(folder.LastCheckpoint);

        var (code, output, err) = TrainedRun.Cli("train", "--resume", folder.Root, "--epochs", "3");
        Assert.True(code == 0, err);
        Assert.StartsWith($"petseg: warning: {folder.LastCheckpoint} is damaged (", OneLine(err));
        Assert.Contains($"resuming {folder.Root} after epoch {bestEpoch}, step", output);
        Assert.Contains("(from best.safetensors), to epoch 3", output);
        Assert.Equal(3, Checkpoint.ReadInfo(folder.LastCheckpoint).Epoch);
        Assert.Equal([1, 2, 3], MetricsCsv.Read(folder.Metrics, ClassNames.OxfordPet).Select(r => r.Epoch));
        Assert.Equal(3, TrainOptions.FromJson(File.ReadAllText(folder.Options), folder.Options).Epochs);
    }

    [Fact]
    public void Resume_replaces_a_damaged_best()
    {
        var folder = CopyOfRun("resume-damaged-best");
        Truncate(folder.BestCheckpoint);

        var (code, _, err) = TrainedRun.Cli("train", "--resume", folder.Root, "--epochs", "3");
        Assert.True(code == 0, err);
        Assert.Contains($"{folder.BestCheckpoint} is damaged (", OneLine(err));
        Assert.Contains("the best epoch from here on becomes the new best.safetensors", err);
        Assert.Equal(3, Checkpoint.ReadInfo(folder.BestCheckpoint).Epoch);
        (code, _, err) = TrainedRun.Cli("eval", "--checkpoint", folder.Root);
        Assert.True(code == 0, err);
        Assert.Empty(err);
    }

    [Fact]
    public void Resume_with_no_more_epochs_than_done_is_refused_saying_how_to_extend()
    {
        var (code, _, err) = TrainedRun.Cli("train", "--resume", run.Folder, "--epochs", TrainedRun.Epochs.ToString());
        Assert.Equal(1, code);
        Assert.Equal($"petseg: --epochs 2: {run.Folder} has done 2 epochs, and --epochs is the run's total; to train more, give a larger total (--epochs 3 or more)",
            OneLine(err));

        (code, _, err) = TrainedRun.Cli("train", "--resume", run.Folder);
        Assert.Equal(1, code);
        Assert.Contains($"{run.Folder} is complete (2 of 2 epochs); to train more, give the new total: petseg train --resume {run.Folder} --epochs 3 or more", OneLine(err));

        (code, _, err) = TrainedRun.Cli("train", "--resume", run.Folder, "--epochs", "3", "--lr", "0.1");
        Assert.Equal(1, code);
        Assert.Contains("only --epochs (the new total) may be given, not --lr", OneLine(err));
    }

    [Fact]
    public void A_second_training_in_a_locked_folder_is_refused_naming_the_folder_and_the_holder()
    {
        var folder = Path.Combine(run.Temp, "locked");
        Directory.CreateDirectory(folder);
        using (RunLock.Acquire(folder))
        {
            var (code, output, err) = TrainedRun.Cli(["train", .. TrainedRun.TinySettings, "--epochs", "1", "--out", folder]);
            Assert.Equal(1, code);
            Assert.Equal($"petseg: {folder} is in use by process {Environment.ProcessId} (lock file {Path.Combine(folder, RunLock.FileName)}); " +
                "wait for it to finish or choose another --out", OneLine(err));
            Assert.Empty(output);
        }
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void A_lock_of_a_dead_process_is_taken_over_and_its_leftovers_removed()
    {
        int dead = DeadProcessId();
        var folder = Path.Combine(run.Temp, "stale-lock");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, RunLock.FileName), $"{dead} 638000000000000000\n");
        var halfWritten = Path.Combine(folder, $".best.safetensors.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(halfWritten, "half a checkpoint");
        var halfLocked = Path.Combine(folder, $".lock.{dead}.tmp");
        File.WriteAllText(halfLocked, $"{dead} 0\n");

        var cache = Path.Combine(run.Temp, "cache");
        var deadStaging = Path.Combine(cache, $"synthetic-24-1-v2.partial-{dead}");
        var liveStaging = Path.Combine(cache, $"synthetic-99-1-v2.partial-{Environment.ProcessId}");
        var deadCacheFile = Path.Combine(cache, "samples", $"oxford-0123abcd-32x32-bilinear.pscache.{dead}.tmp");
        var liveCacheFile = Path.Combine(cache, "samples", $"oxford-0123abcd-32x32-bilinear.pscache.{Environment.ProcessId}.tmp");
        Directory.CreateDirectory(Path.Combine(deadStaging, "images"));
        Directory.CreateDirectory(liveStaging);
        File.WriteAllText(deadCacheFile, "partial");
        File.WriteAllText(liveCacheFile, "partial");
        try
        {
            var (code, _, err) = TrainedRun.Cli(["train", .. TrainedRun.TinySettings, "--epochs", "1", "--out", folder]);
            Assert.True(code == 0, err);
            Assert.False(File.Exists(Path.Combine(folder, RunLock.FileName)), "the lock is released at the end");
            Assert.False(File.Exists(halfWritten));
            Assert.False(File.Exists(halfLocked));
            Assert.True(File.Exists(new RunFolder(folder).BestCheckpoint));
            Assert.False(Directory.Exists(deadStaging));
            Assert.False(File.Exists(deadCacheFile));
            Assert.True(Directory.Exists(liveStaging), "a running process's work is left alone");
            Assert.True(File.Exists(liveCacheFile), "a running process's work is left alone");
        }
        finally
        {
            Directory.Delete(liveStaging);
            File.Delete(liveCacheFile);
        }
    }

    /// <summary>The id of a process that has exited (ids are not reused that fast).</summary>
    private static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
