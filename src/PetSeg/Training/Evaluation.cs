using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralCore.Layers.Losses;
using NeuralCore.Layers.Metrics;
using NeuralCore.Layers.Optim;
using NeuralCore.Layers.Training;
using PetSeg.Data;

namespace PetSeg.Training;

/// <summary>The metrics of one checkpoint on one dataset split.</summary>
public sealed record EvaluationReport(string Checkpoint, string Data, DatasetSplit Split, int Images, double MeanLoss,
    ConfusionMatrix Confusion, IReadOnlyList<string> ClassNames)
{
    /// <summary>The numbers as JSON: per-class IoU and Dice by class name, the confusion matrix as rows of true classes.</summary>
    public string ToJson()
    {
        static JsonNode? Number(double value) => double.IsNaN(value) ? null : JsonValue.Create(value);
        var classes = new JsonObject();
        for (int c = 0; c < ClassNames.Count; c++)
            classes[ClassNames[c]] = new JsonObject { ["iou"] = Number(Confusion.IoU(c)), ["dice"] = Number(Confusion.Dice(c)) };
        var matrix = new JsonArray();
        for (int t = 0; t < Confusion.Classes; t++)
            matrix.Add(new JsonArray(Enumerable.Range(0, Confusion.Classes).Select(p => (JsonNode?)Confusion[t, p]).ToArray()));
        var json = new JsonObject
        {
            ["checkpoint"] = Checkpoint,
            ["data"] = Data,
            ["split"] = Split.ToString().ToLowerInvariant(),
            ["images"] = Images,
            ["loss"] = Number(MeanLoss),
            ["pixel_accuracy"] = Number(Confusion.PixelAccuracy),
            ["mean_iou"] = Number(Confusion.MeanIoU),
            ["mean_dice"] = Number(Confusion.MeanDice),
            ["classes"] = classes,
            ["confusion"] = matrix,
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}

/// <summary>
/// Evaluates a trained model on a dataset split through the same cache, loader and <see cref="Trainer.Evaluate"/> as
/// training's validation, so evaluating a run's last checkpoint on its own test split repeats the last epoch's numbers.
/// </summary>
public static class Evaluation
{
    /// <param name="data">Dataset folder, or null for the dataset the model was trained on.</param>
    /// <param name="format">Layout of <paramref name="data"/> (ignored when it is null).</param>
    /// <param name="batchSize">Images per forward pass, or null for the training batch size.</param>
    /// <param name="progress">Cache building: (what, done, total).</param>
    /// <param name="batchProgress">Makes a progress display for the given number of batches.</param>
    public static EvaluationReport Run(TrainedModel trained, string? data, DatasetFormat format, DatasetSplit split, int? batchSize,
        Action<string, int, int>? progress = null, Func<int, EpochProgress>? batchProgress = null)
    {
        var options = trained.Options with { BatchSize = batchSize ?? trained.Options.BatchSize };
        if (data is not null)
        {
            if (!Directory.Exists(data)) throw new DirectoryNotFoundException($"{data}: no such dataset folder");
            options = options with { Data = data, Format = format };
        }
        using var setup = DataSetup.Open(options, progress);
        if (setup.Classes != trained.Classes)
            throw new InvalidDataException($"{trained.CheckpointPath}: the model predicts {trained.Classes} classes, the dataset has {setup.Classes}");
        using var loader = setup.Loader(split, options, trained.Normalization, training: false, device: trained.Model.Device);
        if (loader.SampleCount == 0) throw new InvalidDataException($"{options.Data ?? "synthetic pets"}: the {split.ToString().ToLowerInvariant()} split has no images");
        // Evaluate never steps the optimizer; the trainer wants one, so it gets one with nothing to update.
        using var noUpdates = new Sgd([], 0);
        var trainer = new Trainer(noUpdates, new SparseCrossEntropy(), trained.Classes);
        using var bar = batchProgress?.Invoke(loader.BatchCount);
        var batches = TrainRun.Batches(loader, epoch: 0).Select(batch =>
        {
            bar?.Advance($"{batch.Item1.Shape[0]} images");
            return batch;
        });
        var result = trainer.Evaluate(trained.Model, batches);
        string dataText = options.Data ?? $"synthetic pets ({options.SyntheticCount} images)";
        return new EvaluationReport(trained.CheckpointPath, dataText, split, loader.SampleCount, result.MeanLoss, result.Confusion,
            setup.Dataset.ClassNames);
    }
}
