using NeuralCore.Layers;
using NeuralCore.Layers.Import;

namespace PetSeg.Training;

/// <summary>Builds the model of a run and loads pretrained encoder weights; shared by train, eval and predict.</summary>
public static class ModelSetup
{
    public static SegmentationModel Create(TrainOptions options, int classes)
    {
        var model = ModelZoo.Create(options.Model, classes, options.Seed);
        TrainingLimits.CheckSize(model, options);
        return model;
    }

    /// <summary>
    /// Loads an encoder-only (Keras no-top) or whole-model weight file: encoder layers by Keras' rule, the decoder
    /// keeps its initialisation. Returns a one-line summary.
    /// </summary>
    public static string LoadWeights(SegmentationModel model, string path)
    {
        var target = (Module?)model.Encoder ?? model;
        var report = KerasWeightMapper.Load(target, path, MatchMode.Auto, allowPartial: true);
        return $"{path}: loaded {report.TensorsLoaded} tensors into {report.LayersLoaded} layers of '{target.Name}' ({report.Rule})";
    }

}
