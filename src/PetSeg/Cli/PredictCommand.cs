using System.CommandLine;
using PetSeg.Training;

namespace PetSeg.Cli;

/// <summary><c>petseg predict</c>: writes predicted masks and overlays for an image or a folder of images.</summary>
internal static class PredictCommand
{
    public static Command Create(CliIO io)
    {
        var checkpoint = CommonOptions.Checkpoint();
        var deviceOption = CommonOptions.Device();
        var input = CommonOptions.Path("--input", "An image (JPEG or PNG, any size) or a folder of images", "FILE|DIR", required: true);
        var outDir = CommonOptions.Path("--out", "Folder for <name>.png (class ids as gray values) and <name>_overlay.png", "DIR", required: true);
        var command = new Command("predict", "Predict segmentation masks") { checkpoint, input, outDir, deviceOption };
        command.SetAction(parse =>
        {
            var files = PredictionWriter.InputFiles(parse.GetValue(input)!);
            var (device, deviceLine) = DeviceChoice.Resolve(parse.GetValue(deviceOption)!);
            // Output stays as it was on the CPU; a GPU run says which device it took.
            if (device.IsGpu) io.Out.WriteLine(deviceLine);
            var trained = TrainedModel.Load(parse.GetValue(checkpoint)!, device, io.Warn);
            string output = parse.GetValue(outDir)!;
            PredictionSummary summary;
            using (var progress = EpochProgress.Create(io, "predict", files.Count))
            {
                summary = new PredictionWriter(trained, output).Run(files, (file, skipReason) =>
                {
                    if (skipReason is not null) io.Err.WriteLine($"petseg: skipped {file}: {skipReason}");
                    progress.Advance(Path.GetFileName(file));
                });
            }
            io.Out.WriteLine($"{summary.Predicted} of {files.Count} images predicted into {output} " +
                $"({trained.Options.Model} at {trained.ImageSize}x{trained.ImageSize}, {trained.Classes} classes)" +
                (summary.Skipped.Count > 0 ? $"; {summary.Skipped.Count} skipped" : ""));
            return summary.Predicted > 0 ? PetSegCli.ExitOk : PetSegCli.ExitFailure;
        });
        return command;
    }
}
