using NeuralCore.Layers;
using NeuralCore.Layers.Metrics;
using PetSeg.Codecs;
using PetSeg.Data;
using PetSeg.Reports;

namespace PetSeg.Training;

/// <summary>report.md of a finished run: curves from metrics.csv, a mosaic of validation predictions, the tables.</summary>
public static class RunReportBuilder
{
    public const string MosaicFile = "samples.png";

    public static string Write(RunFolder run, TrainOptions options, SegmentationModel model, DataSetup data,
        InputNormalization normalization, ConfusionMatrix? confusion, TimeSpan wallTime)
    {
        var classNames = data.Dataset.ClassNames;
        var epochs = MetricsCsv.Read(run.Metrics, classNames);
        var mosaics = new List<string>();
        var validation = data.Cache.IndicesOf(DatasetSplit.Test).Take(options.MosaicSamples).ToArray();
        if (validation.Length > 0)
        {
            int size = options.ImageSize;
            var inputs = validation.Select(i => data.Cache.Image(i).ToArray()).ToArray();
            var predictions = new Predictor(model, normalization).Predict(inputs, size);
            var rows = validation.Select((index, k) => new MosaicRow(new Image8(size, size, 3, inputs[k]), data.Cache.Mask(index).ToArray(), predictions[k])).ToList();
            Mosaic.Write(run.File(MosaicFile), rows, classNames);
            mosaics.Add(MosaicFile);
        }
        double imagesPerSecond = epochs.Count == 0 ? 0 : epochs.Average(e => e.ImagesPerSecond);
        string dataText = options.Data ?? $"synthetic pets, {options.SyntheticCount} images, seed {DataSetup.SyntheticSeed}";
        var summary = new RunSummary(options.Model, dataText, options.Epochs, options.ImageSize, options.BatchSize, options.Optimizer,
            options.LearningRate, options.LrSchedule, options.Loss, options.Seed, wallTime, imagesPerSecond, options.Device, options.Weights);
        return ReportWriter.Write(run.Root, new RunReport(summary, classNames, epochs, confusion, mosaics, data.Skipped));
    }
}
