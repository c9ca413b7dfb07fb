// Trains a small U-Net to segment discs in tiny synthetic images with NeuralCore's public API: model, optimizer,
// loss, a data loader, evaluation, and a checkpoint that is saved, loaded into a fresh model and checked.
// Exits 1 if training did not improve the model or the reloaded model evaluates differently.
using NeuralCore.Layers;
using NeuralCore.Layers.Checkpoints;
using NeuralCore.Layers.Losses;
using NeuralCore.Layers.Optim;
using NeuralCore.Layers.Training;
using NeuralCore.Tensors;

const int Classes = 2, Size = 32, BatchSize = 8, Steps = 80;
var model = new UNet(Classes, seed: 1, baseFilters: 4);   // the classic U-Net, 4 filters in its first block
using var optimizer = new Adam(model.NamedParameters(), learningRate: 1e-2);
var trainer = new Trainer(optimizer, new SumLoss(new SparseCrossEntropy(), new DiceLoss()), Classes);

// The data loader: batches of images [N, H, W, 3] holding a bright disc on noise, labels [N, H, W] (1 = disc).
IEnumerable<(Tensor Images, Tensor Labels)> Batches(int count, int seed)
{
    var random = new Random(seed);
    for (int b = 0; b < count; b++)
    {
        var images = new float[BatchSize * Size * Size * 3];
        var labels = new int[BatchSize * Size * Size];
        for (int n = 0; n < BatchSize; n++)
        {
            int cy = random.Next(8, 24), cx = random.Next(8, 24), r = random.Next(4, 9);
            for (int i = n * Size * Size, y = 0; y < Size; y++)
                for (int x = 0; x < Size; x++, i++)
                {
                    labels[i] = (y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r ? 1 : 0;
                    for (int c = 0; c < 3; c++) images[3 * i + c] = 0.2f + 0.3f * labels[i] + 0.5f * random.NextSingle();
                }
        }
        yield return (Tensor.FromArray(images, [BatchSize, Size, Size, 3]), Tensor.FromArray(labels, [BatchSize, Size, Size]));
    }
}

var validation = Batches(2, seed: 1000).ToList();
double before = trainer.Evaluate(model, validation).Confusion.MeanIoU;
foreach (var (images, labels) in Batches(Steps, seed: 1))
{
    var step = trainer.TrainStep(model, images, labels);   // forward, loss, backward, Adam update
    images.Dispose();
    labels.Dispose();
    if (step.Step % 10 == 0) Console.WriteLine($"step {step.Step}: loss {step.Loss:F4}, pixel accuracy {step.PixelAccuracy:P1}");
}
var trained = trainer.Evaluate(model, validation);
Console.WriteLine($"validation mIoU: {before:F3} before training, {trained.Confusion.MeanIoU:F3} after");

// Checkpoint: weights, BN statistics and optimizer state in one safetensors file; load it into a fresh model.
string path = Path.Combine(Path.GetTempPath(), $"train-segmentation-{Environment.ProcessId}.safetensors");
Checkpoint.Save(path, model, new CheckpointInfo("unet", Epoch: 1, Step: optimizer.StepCount, RngSeed: 1, RngOffset: 0), optimizer.StateDict());
var restored = new UNet(Classes, seed: 2, baseFilters: 4);
using var resumedOptimizer = new Adam(restored.NamedParameters(), learningRate: 1e-2);
using (var loaded = Checkpoint.Load(path, restored)) resumedOptimizer.LoadStateDict(loaded.OptimizerState);
File.Delete(path);
var reloaded = new Trainer(resumedOptimizer, trainer.Loss, Classes).Evaluate(restored, validation);
bool same = reloaded.MeanLoss == trained.MeanLoss && reloaded.Confusion.MeanIoU == trained.Confusion.MeanIoU;
Console.WriteLine($"checkpoint reloaded at step {resumedOptimizer.StepCount}: {(same ? "identical" : "DIFFERENT")} validation loss and mIoU");
foreach (var (images, labels) in validation) { images.Dispose(); labels.Dispose(); }
return trained.Confusion.MeanIoU > before && same ? 0 : 1;
