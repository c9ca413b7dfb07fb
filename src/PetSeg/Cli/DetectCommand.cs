using System.CommandLine;
using NeuralCore.Layers.Models.MaskRcnn;
using PetSeg.Detection;
using PetSeg.Training;

namespace PetSeg.Cli;

/// <summary>
/// <c>petseg detect</c>: instance segmentation with a torchvision Mask R-CNN checkpoint (maskrcnn_resnet50_fpn, COCO):
/// pictures with masks, boxes and labels, and the detections as a COCO results file. <c>--device</c> as for predict:
/// the model's weights and heavy stages go to that device.
/// </summary>
internal static class DetectCommand
{
    public static Command Create(CliIO io)
    {
        var weights = CommonOptions.Weights("torchvision Mask R-CNN state dict (.pth), e.g. maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth");
        weights.Required = true;
        var input = CommonOptions.Path("--input", "An image (JPEG or PNG, any size) or a folder of images", "FILE|DIR", required: true);
        var outDir = CommonOptions.Path("--out", $"Folder for <name>.png (the photo with masks, boxes, labels) and {DetectionWriter.JsonName}", "DIR", required: true);
        var threshold = new Option<float>("--score-threshold")
        {
            Description = "Leave out detections scoring below this (0 to 1)",
            HelpName = "S",
            DefaultValueFactory = _ => 0.5f,
        };
        threshold.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<float>() is var s && !(s is >= 0 and <= 1))
                result.AddError($"--score-threshold {s}: expected a score from 0 to 1");
        });
        var defaults = new MaskRcnnTransform();
        var minSize = CommonOptions.Positive("--min-size", "Resize photos so the short side has this many pixels (torchvision's min_size)", defaults.MinSize);
        var maxSize = CommonOptions.Positive("--max-size", "... but the long side at most this many (torchvision's max_size)", defaults.MaxSize);
        minSize.HelpName = maxSize.HelpName = "N";
        var deviceOption = CommonOptions.Device();
        var command = new Command("detect", "Detect and segment object instances with a torchvision Mask R-CNN (COCO)")
        {
            weights, input, outDir, threshold, minSize, maxSize, deviceOption,
        };
        command.SetAction(parse =>
        {
            var (device, deviceLine) = DeviceChoice.Resolve(parse.GetValue(deviceOption)!);
            // Output stays as it was on the CPU; a GPU run says which device it took.
            if (device.IsGpu) io.Out.WriteLine(deviceLine);
            string inputPath = parse.GetValue(input)!, output = parse.GetValue(outDir)!;
            var files = PredictionWriter.InputFiles(inputPath);
            if (files.Count == 0) throw new InvalidDataException($"{inputPath}: the folder has no images to detect in");
            float scoreThreshold = parse.GetValue(threshold);
            var settings = new MaskRcnnSettings
            {
                Transform = new MaskRcnnTransform(parse.GetValue(minSize), parse.GetValue(maxSize)),
                BoxHead = BoxHeadKeeping(scoreThreshold),
            };
            var model = MaskRcnnModel.Load(parse.GetValue(weights)!, settings, device);
            DetectionSummary summary;
            using (var progress = EpochProgress.Create(io, "detect", files.Count))
            {
                summary = new DetectionWriter(model, scoreThreshold, output).Run(files, (file, skipReason) =>
                {
                    if (skipReason is not null) io.Err.WriteLine($"petseg: skipped {file}: {skipReason}");
                    progress.Advance(Path.GetFileName(file));
                });
            }
            if (summary.Images == 0)
                throw new InvalidDataException($"{inputPath}: no decodable image ({summary.Skipped.Count} skipped, reasons above)");
            io.Out.WriteLine($"{summary.Images} of {files.Count} images: {summary.Detections} detections scoring at least {scoreThreshold} " +
                $"in {Path.Combine(output, DetectionWriter.JsonName)} and <name>.png" +
                (summary.Skipped.Count > 0 ? $"; {summary.Skipped.Count} skipped, not decodable (reasons above)" : ""));
            return PetSegCli.ExitOk;
        });
        return command;
    }

    /// <summary>
    /// The box head keeping what scores at least <paramref name="threshold"/> (it keeps scores above its own threshold,
    /// torchvision's 0.05, which this only ever raises), so no mask is computed and pasted at full size for a
    /// detection the output leaves out. The detections kept are the same: per-class NMS only lets a higher score
    /// suppress a lower one, and the top 100 of those left are the top 100 of those at least the threshold.
    /// </summary>
    private static BoxHeadSettings BoxHeadKeeping(float threshold)
    {
        var defaults = new BoxHeadSettings();
        return defaults with { ScoreThreshold = MathF.Max(defaults.ScoreThreshold, MathF.BitDecrement(threshold)) };
    }
}
