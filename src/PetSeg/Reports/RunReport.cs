using NeuralCore.Layers.Metrics;
using PetSeg.Data;

namespace PetSeg.Reports;

/// <summary>How a run was configured and how long it took: the head of report.md.</summary>
/// <param name="Data">Where the data came from (a folder, or "synthetic, 1000 images, seed 0").</param>
/// <param name="Epochs">Epochs planned; the report also counts the epochs that have metrics.</param>
/// <param name="ImagesPerSecond">Training throughput over the whole run.</param>
public sealed record RunSummary(
    string Model,
    string Data,
    int Epochs,
    int ImageSize,
    int BatchSize,
    string Optimizer,
    double LearningRate,
    string LrSchedule,
    string Loss,
    int Seed,
    TimeSpan WallTime,
    double ImagesPerSecond,
    string Device = "cpu",
    string? Weights = null);

/// <summary>Everything report.md is made from. <paramref name="FinalConfusion"/> is the final model on the whole test split
/// (null without one); <paramref name="Mosaics"/> are PNG paths relative to the run folder.</summary>
public sealed record RunReport(
    RunSummary Summary,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<EpochMetrics> Epochs,
    ConfusionMatrix? FinalConfusion,
    IReadOnlyList<string> Mosaics,
    IReadOnlyList<SkippedSample> Skipped);
