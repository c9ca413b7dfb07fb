using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralCore.Layers;
using NeuralCore.Layers.Checkpoints;
using NeuralCore.Tensors;
using PetSeg.Data;
using PetSeg.Reports;

namespace PetSeg.Training;

/// <summary>
/// A model restored from a training checkpoint for eval and predict: the checkpoint's own options say which
/// architecture, how many classes, which input size and which input scaling, so nothing has to be repeated on the
/// command line.
/// </summary>
public sealed class TrainedModel
{
    private TrainedModel(string path, TrainOptions options, SegmentationModel model, InputNormalization normalization)
    {
        CheckpointPath = path;
        Options = options;
        Model = model;
        Normalization = normalization;
    }

    /// <summary>The checkpoint file the weights came from (a run folder resolves to its best, else last, readable checkpoint).</summary>
    public string CheckpointPath { get; }

    /// <summary>The options the model was trained with.</summary>
    public TrainOptions Options { get; }

    public SegmentationModel Model { get; }

    public InputNormalization Normalization { get; }

    public int Classes => Model.Classes;

    /// <summary>The square input size the model was trained at.</summary>
    public int ImageSize => Options.ImageSize;

    /// <summary>Class names for colours and tables when no dataset is at hand: Oxford's for the pet formats, else numbers.</summary>
    public IReadOnlyList<string> ClassNames =>
        Options.Format is DatasetFormat.Oxford or DatasetFormat.Synthetic && Classes == Reports.ClassNames.OxfordPet.Count
            ? Reports.ClassNames.OxfordPet
            : Reports.ClassNames.Numeric(Classes);

    /// <summary>
    /// Loads a checkpoint file, or a run folder's best checkpoint, falling back to its last one when best is damaged
    /// (and the other way round), onto <paramref name="device"/>; <paramref name="warn"/> hears which file was passed
    /// over and why.
    /// </summary>
    public static TrainedModel Load(string checkpointOrRun, Device device, Action<string> warn)
    {
        var (trained, _) = CheckpointFallback.LoadFirst(RunFolder.CheckpointCandidates(checkpointOrRun), path =>
        {
            var info = Checkpoint.ReadInfo(path);
            var (options, classes) = ReadRunOptions(info, path);
            var model = ModelSetup.Create(options, classes);
            using (Checkpoint.Load(path, model)) { }
            model.MoveTo(device);
            model.Eval();
            return new TrainedModel(path, options, model, DataSetup.NormalizationFor(model, options.Weights is not null));
        }, warn);
        return trained;
    }

    /// <summary>The training options and class count TrainRun stores in every checkpoint's extra JSON.</summary>
    private static (TrainOptions Options, int Classes) ReadRunOptions(CheckpointInfo info, string path)
    {
        try
        {
            var extra = JsonNode.Parse(info.ExtraJson) as JsonObject ?? [];
            var options = extra["options"] as JsonObject
                ?? throw new InvalidDataException($"{path}: checkpoint has no training options (not written by petseg train)");
            int classes = extra["classes"]?.GetValue<int>()
                ?? throw new InvalidDataException($"{path}: checkpoint does not record its class count (not written by petseg train)");
            return (TrainOptions.FromJson(options.ToJsonString(), path), classes);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: unreadable training options in the checkpoint: {e.Message}", e);
        }
    }
}
