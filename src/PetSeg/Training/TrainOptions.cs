using System.Globalization;
using System.Text.Json;
using NeuralCore.Layers;
using NeuralCore.Layers.Optim;
using PetSeg.Data;

namespace PetSeg.Training;

/// <summary>
/// Everything that defines a training run. Saved as options.json in the run folder, so <c>--resume RUNDIR</c>
/// continues the same run and eval/predict know the model, classes and input size.
/// </summary>
public sealed record TrainOptions
{
    public string Model { get; init; } = "unet-mobilenetv2";

    /// <summary>Dataset folder; null = the built-in synthetic pets, generated once into the cache.</summary>
    public string? Data { get; init; }

    public DatasetFormat Format { get; init; } = DatasetFormat.Synthetic;

    /// <summary>Synthetic pets to generate when <see cref="Data"/> is null.</summary>
    public int SyntheticCount { get; init; } = 2000;

    public int ImageSize { get; init; } = 128;

    public int Epochs { get; init; } = 23;

    public int BatchSize { get; init; } = 16;

    public string Optimizer { get; init; } = "adam";

    public double LearningRate { get; init; } = 2e-3;

    /// <summary>
    /// "cosine" (decay to zero over the whole run), "constant", or an explicit optimizer schedule such as
    /// "step:EVERY:GAMMA" or "warmup:STEPS:cosine:TOTAL" (in steps; see LearningRateSchedule.Parse).
    /// </summary>
    public string LrSchedule { get; init; } = "cosine";

    /// <summary>"crossentropy", "dice", or a sum such as "crossentropy+dice" (see NeuralCore.Layers.Losses.Loss.Create).</summary>
    public string Loss { get; init; } = "crossentropy+dice";

    /// <summary>Pretrained encoder weights (Keras .h5, .npz, .safetensors), or null for random initialisation.</summary>
    public string? Weights { get; init; }

    public bool FreezeEncoder { get; init; }

    /// <summary>
    /// Keras momentum of the BatchNorm layers when training from random weights (PyTorch's default, 0.9); with
    /// pretrained weights the Keras definitions' own momenta are kept.
    /// </summary>
    public double ScratchBatchNormMomentum { get; init; } = 0.9;

    /// <summary>Unfreeze the encoder after this many epochs (the clothing article's second phase).</summary>
    public int? FinetuneAfter { get; init; }

    public string Device { get; init; } = DeviceChoice.Auto;

    public int Seed { get; init; }

    /// <summary>Augmentation spec for the data loader ("tutorial", "clothing", "none", or a list).</summary>
    public string Augmentation { get; init; } = "tutorial";

    public string OutputFolder { get; init; } = "";

    /// <summary>
    /// Validate each epoch on 1/N of the test split (every N-th image), then evaluate the final model on all of it,
    /// as the seeds do (VALIDATION_SUBSPLITS = 5). 1 validates on the whole split every epoch.
    /// </summary>
    public int ValidationSubsplits { get; init; } = 5;

    /// <summary>Samples from the validation split to show in the report's mosaic.</summary>
    public int MosaicSamples { get; init; } = 6;

    /// <summary>The optimizer's schedule for a run of <paramref name="totalSteps"/> steps.</summary>
    /// <exception cref="FormatException">The schedule text is not one of the forms above.</exception>
    public LearningRateSchedule ScheduleFor(long totalSteps) => LrSchedule switch
    {
        "cosine" => new CosineSchedule(LearningRate, totalSteps),
        _ => LearningRateSchedule.Parse(LrSchedule, LearningRate),
    };

    /// <summary>
    /// Checks every option that needs neither data nor a model, so a bad value is refused before any work (and before
    /// the run folder exists) with one line that names the option. Model-specific limits: <see cref="TrainingLimits"/>.
    /// </summary>
    public void Validate()
    {
        if (!double.IsFinite(LearningRate) || LearningRate <= 0)
            throw new ArgumentException($"--lr {LearningRate.ToString(CultureInfo.InvariantCulture)}: the learning rate must be a finite number above 0");
        foreach (var (name, value) in new[] { ("--image-size", ImageSize), ("--epochs", Epochs), ("--batch-size", BatchSize),
                     ("--synthetic-count", SyntheticCount), ("--val-subsplits", ValidationSubsplits) })
            if (value <= 0) throw new ArgumentException($"{name} {value}: expected a positive integer");
        if (FinetuneAfter is < 0) throw new ArgumentException($"--finetune-after {FinetuneAfter}: expected 0 or more epochs");
        if (!(ScratchBatchNormMomentum is > 0 and < 1))
            throw new ArgumentException($"batch norm momentum {ScratchBatchNormMomentum.ToString(CultureInfo.InvariantCulture)}: expected a number between 0 and 1");
        if (MosaicSamples < 0) throw new ArgumentException($"mosaic samples {MosaicSamples}: expected 0 or more");
        if (!ModelZoo.Names.Contains(Model)) throw new ArgumentException($"--model {Model}: expected one of {string.Join(", ", ModelZoo.Names)}");
        ScheduleFor(1);
        NeuralCore.Layers.Losses.Loss.Create(Loss);
        AugmentationOptions.Parse(Augmentation).Validate();
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TrainOptions FromJson(string json, string path) =>
        JsonSerializer.Deserialize<TrainOptions>(json, Json) ?? throw new InvalidDataException($"{path}: not a training options file");
}
