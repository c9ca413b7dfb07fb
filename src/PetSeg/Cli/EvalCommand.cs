using System.CommandLine;
using System.Globalization;
using NeuralCore.Layers.Import;
using PetSeg.Data;
using PetSeg.Training;
using Spectre.Console;

namespace PetSeg.Cli;

/// <summary><c>petseg eval</c>: pixel accuracy, per-class IoU and Dice, mean IoU and the confusion matrix of a checkpoint on a dataset split.</summary>
internal static class EvalCommand
{
    public static Command Create(CliIO io)
    {
        var checkpoint = CommonOptions.Checkpoint();
        var deviceOption = CommonOptions.Device();
        var data = new Option<string>("--data") { Description = "Dataset folder (default: the dataset the checkpoint was trained on)", HelpName = "DIR" };
        var format = CommonOptions.Format();
        var split = CommonOptions.Choice("--split", "Which images", ["test", "train"], "test");
        var batchSize = new Option<int?>("--batch-size") { Description = "Images per forward pass (default: the training batch size)", HelpName = "N" };
        batchSize.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0) result.AddError("--batch-size expects a positive integer");
        });
        var json = CommonOptions.Path("--json", "Also write the numbers to this JSON file", "FILE");
        var command = new Command("eval", "Evaluate a checkpoint on a dataset split") { checkpoint, data, format, split, batchSize, json, deviceOption };
        command.SetAction(parse =>
        {
            var (device, deviceLine) = DeviceChoice.Resolve(parse.GetValue(deviceOption)!);
            // Output stays as it was on the CPU; a GPU run says which device it took.
            if (device.IsGpu) io.Out.WriteLine(deviceLine);
            var trained = TrainedModel.Load(parse.GetValue(checkpoint)!, device, io.Warn);
            var report = Evaluation.Run(trained, parse.GetValue(data), SegmentationDatasets.ParseFormat(parse.GetValue(format)!),
                parse.GetValue(split) == "train" ? DatasetSplit.Train : DatasetSplit.Test, parse.GetValue(batchSize),
                (what, done, total) =>
                {
                    if (done == total || done % 200 == 0) io.Out.WriteLine($"  {what}: {done}/{total}");
                },
                batches => EpochProgress.Create(io, "eval", batches));
            Print(report, trained, io);
            if (parse.GetValue(json) is { } jsonPath)
            {
                AtomicFile.WriteAllText(jsonPath, report.ToJson());
                io.Out.WriteLine($"numbers written to {jsonPath}");
            }
            return PetSegCli.ExitOk;
        });
        return command;
    }

    private static string Format(double value) => double.IsNaN(value) ? "-" : value.ToString("F4", CultureInfo.InvariantCulture);

    private static void Print(EvaluationReport report, TrainedModel trained, CliIO io)
    {
        var m = report.Confusion;
        io.Out.WriteLine($"{report.Checkpoint}: {trained.Options.Model} on {report.Data}, {report.Split.ToString().ToLowerInvariant()} split, " +
            $"{report.Images} images at {trained.ImageSize}x{trained.ImageSize}");
        var console = io.Ansi();

        var perClass = new Table().AddColumn("Class").AddColumn(new TableColumn("IoU").RightAligned()).AddColumn(new TableColumn("Dice").RightAligned());
        for (int c = 0; c < m.Classes; c++)
            perClass.AddRow(new Text(report.ClassNames[c]), new Text(Format(m.IoU(c))), new Text(Format(m.Dice(c))));
        console.Write(perClass);

        // Rows are the true classes, columns the predicted ones, as pixel counts.
        var confusion = new Table().AddColumn("true \\ predicted");
        foreach (var name in report.ClassNames) confusion.AddColumn(new TableColumn(name).RightAligned());
        for (int t = 0; t < m.Classes; t++)
            confusion.AddRow([new Text(report.ClassNames[t]), .. Enumerable.Range(0, m.Classes).Select(p => new Text(m[t, p].ToString("N0", CultureInfo.InvariantCulture)))]);
        console.Write(confusion);

        io.Out.WriteLine($"pixel accuracy {Format(m.PixelAccuracy)}  mIoU {Format(m.MeanIoU)}  mean Dice {Format(m.MeanDice)}  loss {Format(report.MeanLoss)}");
    }
}
