using System.Diagnostics;
using System.Text.Json.Nodes;
using NeuralCore.Layers;
using NeuralCore.Layers.Checkpoints;
using NeuralCore.Layers.Import;
using NeuralCore.Layers.Losses;
using NeuralCore.Layers.Metrics;
using NeuralCore.Layers.Optim;
using NeuralCore.Layers.Training;
using PetSeg.Cli;
using PetSeg.Data;
using PetSeg.Reports;

namespace PetSeg.Training;

/// <summary>
/// One training run: data, model, optimizer, the epoch loop with validation, checkpoints (last every epoch and on
/// Ctrl+C, best by validation mean IoU), metrics.csv, curves and report.md. A resumed run continues from the last
/// checkpoint to the same result as an uninterrupted run with the same seed: batches and augmentations depend
/// only on (seed, epoch, index), and the optimizer state and random streams are restored exactly. Every file is
/// written atomically, the folder is locked while the run trains, and it is created only once every option has been
/// checked and the data is ready.
/// </summary>
public sealed class TrainRun
{
    private readonly TrainOptions _options;
    private readonly RunFolder _run;
    private readonly CliIO _io;
    private readonly Action<long>? _afterStep;

    private TrainRun(TrainOptions options, RunFolder run, CliIO io, Action<long>? afterStep)
    {
        _options = options;
        _run = run;
        _io = io;
        _afterStep = afterStep;
    }

    /// <summary>Starts a new run in <see cref="TrainOptions.OutputFolder"/>.</summary>
    public static int Start(TrainOptions options, CliIO io, CancellationToken cancel) => Start(options, io, cancel, afterStep: null);

    /// <param name="afterStep">Called with the global step count after every optimizer step; tests cancel there to
    /// interrupt a run at an exact step.</param>
    internal static int Start(TrainOptions options, CliIO io, CancellationToken cancel, Action<long>? afterStep)
    {
        options.Validate();
        var run = new RunFolder(options.OutputFolder.Length > 0 ? options.OutputFolder : RunFolder.DefaultFor(options.Model));
        if (File.Exists(run.LastCheckpoint))
            throw new InvalidOperationException($"{run.Root} already holds a run (last.safetensors): continue it with --resume {run.Root}, or choose another --out");
        RunLock.ThrowIfHeld(run.Root);
        options = options with { OutputFolder = run.Root };
        return new TrainRun(options, run, io, afterStep).Execute(resumeFrom: null, rewriteOptions: true, cancel);
    }

    /// <summary>
    /// Continues the run in <paramref name="folder"/> from its last checkpoint, or from its best one when the last is
    /// damaged (saying so).
    /// </summary>
    /// <param name="epochs">The run's new total of epochs (more than it has done), or null to finish the run as planned.</param>
    public static int Resume(string folder, int? epochs, CliIO io, CancellationToken cancel)
    {
        var run = new RunFolder(folder);
        if (!File.Exists(run.Options)) throw new FileNotFoundException($"{run.Root}: not a run folder (no options.json)");
        var options = TrainOptions.FromJson(File.ReadAllText(run.Options), run.Options);
        options.Validate();
        RunLock.ThrowIfHeld(run.Root);
        var candidates = new[] { run.LastCheckpoint, run.BestCheckpoint }.Where(File.Exists).ToList();
        if (candidates.Count == 0) throw new FileNotFoundException($"{run.Root}: no last.safetensors to resume from");
        var (info, path) = CheckpointFallback.LoadFirst(candidates, Checkpoint.ReadInfo, io.Warn);
        int done = info.Epoch;
        if (epochs is { } total)
        {
            if (total <= done)
                throw new ArgumentException($"--epochs {total}: {run.Root} has done {done} epochs, and --epochs is the run's total; " +
                    $"to train more, give a larger total (--epochs {done + 1} or more)");
            options = options with { Epochs = total };
        }
        else if (done >= options.Epochs)
        {
            throw new InvalidOperationException($"{run.Root} is complete ({done} of {options.Epochs} epochs); to train more, " +
                $"give the new total: petseg train --resume {run.Root} --epochs {done + 1} or more");
        }
        return new TrainRun(options, run, io, afterStep: null).Execute(resumeFrom: path, rewriteOptions: epochs is not null, cancel);
    }

    /// <summary>
    /// Checks the model against the options, prepares the data, and only then creates (or claims) the run folder and
    /// trains. A fresh run that fails before its first checkpoint leaves no folder behind.
    /// </summary>
    private int Execute(string? resumeFrom, bool rewriteOptions, CancellationToken cancel)
    {
        // Resolved first, so a missing GPU fails before any work; said once the run's checks have passed.
        var (device, deviceLine) = DeviceChoice.Resolve(_options.Device);
        var loss = Loss.Create(_options.Loss);
        var model = ModelSetup.Create(_options, SegmentationDatasets.ClassCount(_options.Data is null ? DatasetFormat.Synthetic : _options.Format));
        TrainingLimits.CheckBatch(model, _options);
        TrainingMemory.Check(model, _options);
        var clock = Stopwatch.StartNew();
        using var data = DataSetup.Open(_options, (what, done, total) =>
        {
            if (done == total || done % 200 == 0) _io.Out.WriteLine($"  {what}: {done}/{total}");
        });
        if (_options.Weights is not null) _io.Out.WriteLine(ModelSetup.LoadWeights(model, _options.Weights));
        else model.SetBatchNormMomentum(_options.ScratchBatchNormMomentum);
        // Weights load into the model on the host; it then moves to the device, before the optimizer allocates its
        // state next to the parameters.
        _io.Out.WriteLine(deviceLine);
        model.MoveTo(device);
        using var optimizer = Optimizers.Create(_options.Optimizer, model, _options.LearningRate);
        var normalization = DataSetup.NormalizationFor(model, _options.Weights is not null);
        using var trainLoader = data.Loader(DatasetSplit.Train, _options, normalization, training: true,
            smallestBatch: TrainingLimits.SmallestBatch(model, _options.ImageSize), device: device);
        using var valLoader = data.Loader(DatasetSplit.Test, _options, normalization, training: false, device: device);
        using var epochValLoader = data.Loader(DatasetSplit.Test, _options, normalization, training: false, stride: _options.ValidationSubsplits, device: device);

        bool createdFolder = !Directory.Exists(_run.Root);
        // Taken outside the try: when another run holds the folder, nothing here is this run's to remove.
        var runLock = _run.Claim();
        try
        {
            if (rewriteOptions) AtomicFile.WriteAllText(_run.Options, _options.ToJson());
            var setup = new RunSetup(model, data, loss, optimizer, normalization, trainLoader, valLoader, epochValLoader, clock);
            return Train(setup, resumeFrom, cancel);
        }
        catch (Exception) when (resumeFrom is null && !File.Exists(_run.LastCheckpoint))
        {
            // A fresh run that failed before its first checkpoint leaves nothing: its files go while it holds the lock,
            // the folder (if it made it) once the lock is gone.
            foreach (var path in new[] { _run.Options, _run.Metrics }) File.Delete(path);
            throw;
        }
        finally
        {
            runLock.Dispose();
            if (createdFolder) RemoveIfEmpty(_run.Root);
        }
    }

    private sealed record RunSetup(SegmentationModel Model, DataSetup Data, Loss Loss, Optimizer Optimizer, InputNormalization Normalization,
        DataLoader TrainLoader, DataLoader ValLoader, DataLoader EpochValLoader, Stopwatch Clock);

    private int Train(RunSetup setup, string? resumeFrom, CancellationToken cancel)
    {
        var (model, data, loss, optimizer, normalization, trainLoader, valLoader, epochValLoader, clock) = setup;
        var trainer = new Trainer(optimizer, loss, data.Classes);
        var state = TrainingState.Start((ulong)_options.Seed);
        if (resumeFrom is not null)
        {
            using var loaded = Checkpoint.Load(resumeFrom, model);
            optimizer.LoadStateDict(loaded.OptimizerState);
            state = ForgetDamagedBest(TrainingState.FromCheckpointInfo(loaded.Info));
            DropoutStream.Restore(model, state.ModelRngOffset);
            _io.Out.WriteLine($"resuming {_run.Root} after epoch {state.Epoch}, step {state.Step}" +
                (resumeFrom == _run.LastCheckpoint ? "" : $" (from {Path.GetFileName(resumeFrom)})") +
                (_options.Epochs > state.Epoch ? $", to epoch {_options.Epochs}" : ""));
        }
        ApplyFreezing(model, state.Epoch);

        optimizer.Schedule = _options.ScheduleFor((long)_options.Epochs * trainLoader.BatchCount);
        _io.Out.WriteLine($"{_options.Model}: {model.ParameterCount():N0} parameters ({model.TrainableParameters().Sum(p => (long)p.ElementCount):N0} trainable), " +
            $"{trainLoader.SampleCount} training / {valLoader.SampleCount} test images (validation each epoch on {epochValLoader.SampleCount}) at {_options.ImageSize}x{_options.ImageSize}, " +
            $"{data.Classes} classes, {_options.Optimizer} lr {_options.LearningRate} ({_options.LrSchedule}), {loss.Name} loss, batch {_options.BatchSize}" +
            (data.Skipped.Count > 0 ? $"; {SkippedSample.Summarize(data.Skipped, examples: 3)}" : ""));

        var metrics = MetricsCsv.Open(_run.Metrics, data.Dataset.ClassNames, resumeFrom is null ? null : state.Epoch);
        for (int epoch = state.Epoch; epoch < _options.Epochs; epoch++)
        {
            if (_options.FinetuneAfter == epoch && epoch > 0)
            {
                model.Encoder?.Unfreeze();
                _io.Out.WriteLine($"epoch {epoch + 1}: encoder unfrozen for fine-tuning");
            }
            var epochClock = Stopwatch.StartNew();
            int skip = (int)(state.Step - (long)epoch * trainLoader.BatchCount);
            var epochResult = TrainEpoch(model, trainer, trainLoader, epoch, skip, cancel, ref state);
            if (epochResult is null)
            {
                SaveCheckpoint(_run.LastCheckpoint, model, optimizer, state);
                _io.Err.WriteLine($"petseg: interrupted in epoch {epoch + 1} at step {state.Step}; resume with: petseg train --resume {_run.Root}");
                return PetSegCli.ExitInterrupted;
            }
            var validation = trainer.Evaluate(model, Batches(epochValLoader, 0));
            var confusion = validation.Confusion;
            bool best = state.BestMetric is null || confusion.MeanIoU > state.BestMetric;
            state = state with
            {
                Epoch = epoch + 1,
                BestMetric = best ? confusion.MeanIoU : state.BestMetric,
                BestEpoch = best ? epoch + 1 : state.BestEpoch,
            };
            SaveCheckpoint(_run.LastCheckpoint, model, optimizer, state);
            // A copy under a temporary name, renamed into place: a kill or a full disk never leaves half a best checkpoint.
            if (best) AtomicFile.Copy(_run.LastCheckpoint, _run.BestCheckpoint);
            var row = new EpochMetrics(epoch + 1, state.Step, epochResult.Loss, epochResult.Accuracy, validation.MeanLoss,
                confusion.PixelAccuracy, confusion.MeanIoU, Enumerable.Range(0, data.Classes).Select(confusion.IoU).ToArray(),
                optimizer.LearningRate, epochResult.ImagesPerSecond, epochClock.Elapsed.TotalSeconds);
            metrics.Append(row);
            _io.Out.WriteLine(Summary(row, data.Dataset.ClassNames) + (best ? " (best)" : ""));
        }
        var heldOut = trainer.Evaluate(model, Batches(valLoader, 0)).Confusion;
        _io.Out.WriteLine($"test split ({valLoader.SampleCount} images), final model: pixel accuracy {heldOut.PixelAccuracy:F4}, mIoU {heldOut.MeanIoU:F4} (" +
            ClassIoUs(data.Dataset.ClassNames, heldOut.IoU) + ")");
        string report = RunReportBuilder.Write(_run, _options, model, data, normalization, heldOut, clock.Elapsed);
        _io.Out.WriteLine($"done in {clock.Elapsed.TotalMinutes:F1} min: best validation mIoU {state.BestMetric:F4} (epoch {state.BestEpoch}); report: {report}");
        return PetSegCli.ExitOk;
    }

    /// <summary>
    /// A resumed run whose best.safetensors is damaged or gone cannot restore that epoch's weights: the file is
    /// removed and the best of the epochs from here on becomes the new best, so the run folder is whole again.
    /// </summary>
    private TrainingState ForgetDamagedBest(TrainingState state)
    {
        if (state.BestEpoch is not { } bestEpoch) return state;
        string best = _run.BestCheckpoint;
        string? problem = File.Exists(best)
            ? CheckpointFallback.Damage(best, path => Checkpoint.ReadInfo(path)) is { } damage ? $"damaged ({damage})" : null
            : "missing";
        if (problem is null) return state;
        _io.Warn($"{best} is {problem}: the weights of epoch {bestEpoch} are lost; the best epoch from here on becomes the new best.safetensors");
        File.Delete(best);
        return state with { BestMetric = null, BestEpoch = null };
    }

    private static void RemoveIfEmpty(string folder)
    {
        try
        {
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
        }
        catch (IOException)
        {
            // Another run wrote into it meanwhile: it is theirs now.
        }
    }

    private static string Summary(EpochMetrics m, IReadOnlyList<string> classNames) =>
        $"epoch {m.Epoch}: loss {m.TrainLoss:F4} acc {m.TrainAccuracy:F4} | val loss {m.ValLoss:F4} acc {m.ValAccuracy:F4} mIoU {m.ValMeanIoU:F4} (" +
        ClassIoUs(classNames, c => m.ValClassIoU[c]) + $") | {m.ImagesPerSecond:F1} img/s, {m.Seconds:F0} s";

    /// <summary>"pet 0.902, background 0.968, border 0.532": the per-class IoUs of a summary line.</summary>
    private static string ClassIoUs(IReadOnlyList<string> classNames, Func<int, double> iou) =>
        string.Join(", ", classNames.Select((name, c) => $"{name} {iou(c):F3}"));

    private void ApplyFreezing(SegmentationModel model, int epoch)
    {
        bool frozen = _options.FreezeEncoder && !(_options.FinetuneAfter is { } after && epoch >= after);
        if (frozen) model.Encoder?.Freeze();
    }

    private sealed record EpochTotals(double Loss, double Accuracy, double ImagesPerSecond);

    /// <summary>One epoch of steps (after skipping those a resumed run already did); null when interrupted.</summary>
    private EpochTotals? TrainEpoch(SegmentationModel model, Trainer trainer, DataLoader loader, int epoch, int skip,
        CancellationToken cancel, ref TrainingState state)
    {
        double lossSum = 0;
        long correct = 0, total = 0;
        int images = 0, steps = 0;
        var clock = Stopwatch.StartNew();
        using var progress = EpochProgress.Create(_io, $"epoch {epoch + 1}/{_options.Epochs}", loader.BatchCount - skip);
        foreach (var (batchImages, batchLabels) in Batches(loader, epoch, skip))
        {
            if (cancel.IsCancellationRequested) return null;
            StepResult result;
            try
            {
                result = trainer.TrainStep(model, batchImages, batchLabels);
            }
            catch (NonFiniteLossException e)
            {
                string checkpoint = File.Exists(_run.LastCheckpoint)
                    ? $"the last good checkpoint is {_run.LastCheckpoint}"
                    : "no checkpoint was written before it";
                throw new InvalidOperationException($"{e.Message}; training stopped in epoch {epoch + 1}, {checkpoint}; a smaller --lr may help", e);
            }
            state = state with { Step = state.Step + 1 };
            _afterStep?.Invoke(state.Step);
            lossSum += result.Loss;
            correct += result.CorrectPixels;
            total += result.TotalPixels;
            images += batchImages.Shape[0];
            steps++;
            double rate = images / clock.Elapsed.TotalSeconds;
            progress.Advance($"loss {lossSum / steps:F4}  acc {(double)correct / total:F4}  {rate:F1} img/s");
        }
        return new EpochTotals(lossSum / Math.Max(steps, 1), total == 0 ? double.NaN : (double)correct / total, images / clock.Elapsed.TotalSeconds);
    }

    /// <summary>The loader's batches of an epoch as (images, labels), each disposed once the consumer moves on.</summary>
    internal static IEnumerable<(NeuralCore.Tensors.Tensor, NeuralCore.Tensors.Tensor)> Batches(DataLoader loader, int epoch, int skip = 0)
    {
        int index = 0;
        foreach (var batch in loader.Epoch(epoch))
            using (batch)
                if (index++ >= skip) yield return (batch.Images, batch.Labels);
    }

    private void SaveCheckpoint(string path, SegmentationModel model, Optimizer optimizer, TrainingState state)
    {
        var extra = new JsonObject { ["options"] = JsonNode.Parse(_options.ToJson()), ["classes"] = model.Classes };
        var info = (state with { ModelRngOffset = DropoutStream.Offset(model) }).ToCheckpointInfo(_options.Model, extra);
        Checkpoint.Save(path, model, info, optimizer.StateDict());
    }
}
