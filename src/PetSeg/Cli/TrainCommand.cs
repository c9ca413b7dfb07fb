using System.CommandLine;
using PetSeg.Data;
using PetSeg.Training;

namespace PetSeg.Cli;

/// <summary><c>petseg train</c>: trains a model into a run folder (checkpoints, metrics, report).</summary>
internal static class TrainCommand
{
    public static Command Create(CliIO io)
    {
        var defaults = new TrainOptions();
        var model = CommonOptions.Model();
        var data = CommonOptions.Data();
        var format = CommonOptions.Choice("--format", "Dataset layout", ["oxford", "clothing", "synthetic"], "oxford");
        var imageSize = CommonOptions.Positive("--image-size", "Square input size in pixels", defaults.ImageSize);
        var epochs = CommonOptions.Positive("--epochs", "Training epochs", defaults.Epochs);
        var batchSize = CommonOptions.Positive("--batch-size", "Images per step", defaults.BatchSize);
        var optimizer = CommonOptions.Choice("--optimizer", "Optimizer", ["adam", "adamw", "rmsprop", "sgd"], defaults.Optimizer);
        var lr = new Option<double>("--lr") { Description = "Learning rate", DefaultValueFactory = _ => defaults.LearningRate };
        var schedule = new Option<string>("--lr-schedule")
        {
            Description = "cosine (decay to 0 over the run), constant, or a schedule in steps: step:EVERY:GAMMA, cosine:TOTAL[:MIN], warmup:STEPS:<schedule>",
            DefaultValueFactory = _ => defaults.LrSchedule,
        };
        var loss = new Option<string>("--loss") { Description = "crossentropy, dice, or a sum: crossentropy+dice", DefaultValueFactory = _ => defaults.Loss };
        var subsplits = CommonOptions.Positive("--val-subsplits", "Validate each epoch on 1/N of the test split; the final model is evaluated on all of it", defaults.ValidationSubsplits);
        var weights = CommonOptions.Weights("Pretrained encoder weights (Keras .h5, .npz, .safetensors or PyTorch .pth)");
        var freeze = new Option<bool>("--freeze-encoder") { Description = "Keep the encoder's weights fixed" };
        var finetune = new Option<int?>("--finetune-after") { Description = "Unfreeze the encoder after N epochs", HelpName = "N" };
        var device = CommonOptions.Device(defaults.Device);
        var outDir = CommonOptions.Path("--out", "Run folder for checkpoints and reports (default runs/<model>-<time>)", "RUNDIR");
        var seed = CommonOptions.Seed();
        var resume = CommonOptions.Path("--resume", "Continue the run in this folder from its last checkpoint", "RUNDIR");
        var synthetic = CommonOptions.Positive("--synthetic-count", "Synthetic pets to generate when --data is not given", defaults.SyntheticCount);
        var augment = new Option<string>("--augment") { Description = "Augmentations: tutorial (horizontal flip), clothing, none, or a list like hflip,crop=0.7@0.5", DefaultValueFactory = _ => defaults.Augmentation };

        var command = new Command("train", "Train a segmentation model (default: the built-in synthetic pets)")
        {
            model, data, format, imageSize, epochs, batchSize, optimizer, lr, schedule, loss, subsplits, weights, freeze, finetune, device, outDir, seed, resume, synthetic, augment,
        };
        command.SetAction(parse =>
        {
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                // The first Ctrl+C finishes the current step and saves a resumable checkpoint; a second one kills.
                e.Cancel = !cancel.IsCancellationRequested;
                cancel.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                if (parse.GetValue(resume) is { } folder)
                {
                    // A resumed run keeps its own options (options.json); only its total of epochs may change.
                    var ignored = command.Options.Where(o => o != resume && o != epochs && parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                    if (ignored.Count > 0)
                        throw new ArgumentException($"--resume continues {folder} with the options in its options.json; " +
                            $"only --epochs (the new total) may be given, not {string.Join(", ", ignored)}");
                    return TrainRun.Resume(folder, parse.GetResult(epochs) is { Implicit: false } ? parse.GetValue(epochs) : null, io, cancel.Token);
                }
                string? dataDir = parse.GetValue(data);
                var options = new TrainOptions
                {
                    Model = parse.GetValue(model)!,
                    Data = dataDir,
                    Format = dataDir is null ? DatasetFormat.Synthetic : SegmentationDatasets.ParseFormat(parse.GetValue(format)!),
                    SyntheticCount = parse.GetValue(synthetic),
                    ImageSize = parse.GetValue(imageSize),
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batchSize),
                    Optimizer = parse.GetValue(optimizer)!,
                    LearningRate = parse.GetValue(lr),
                    LrSchedule = parse.GetValue(schedule)!,
                    Loss = parse.GetValue(loss)!,
                    ValidationSubsplits = parse.GetValue(subsplits),
                    Weights = parse.GetValue(weights),
                    FreezeEncoder = parse.GetValue(freeze),
                    FinetuneAfter = parse.GetValue(finetune),
                    Device = parse.GetValue(device)!,
                    Seed = parse.GetValue(seed),
                    Augmentation = parse.GetValue(augment)!,
                    OutputFolder = parse.GetValue(outDir) ?? "",
                };
                return TrainRun.Start(options, io, cancel.Token);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
        return command;
    }
}
