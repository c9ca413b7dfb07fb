using NeuralCore.Autograd;
using NeuralCore.Layers.Losses;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Tests.Losses;

/// <summary>Cross-entropy and Dice against hand computations in float64; Dice's gradient against finite differences.</summary>
public class LossTests
{
    // 2 x 3 pixels, 3 classes.
    private static readonly double[] LogitValues =
    [
        2.0, -1.0, 0.5,   0.1, 0.2, 0.3,   -2.0, 1.5, 0.0,
        0.0, 0.0, 3.0,    1.0, -0.5, 2.0,  0.7, 0.7, -0.7,
    ];

    private static readonly int[] LabelValues = [0, 2, 1, 2, 0, 1];

    private static Tensor Logits() => Tensor.FromArray((double[])LogitValues.Clone(), [1, 2, 3, 3]);

    private static Tensor Labels(int[]? values = null) => Tensor.FromArray(values ?? LabelValues, [1, 2, 3]);

    private static double[] SoftmaxRow(int pixel)
    {
        var row = LogitValues.AsSpan(pixel * 3, 3).ToArray();
        double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
        return row.Select(v => Math.Exp(v - max) / sum).ToArray();
    }

    [Fact]
    public void Cross_entropy_is_the_weighted_mean_nll_over_counted_pixels()
    {
        using var scope = TensorScope.Begin();
        double[] weights = [0.5, 2.0, 1.0];
        const int ignore = 255;
        int[] labels = [0, 2, ignore, 2, 0, 1];
        double nll = 0, weightSum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == ignore) continue;
            nll += weights[labels[i]] * -Math.Log(SoftmaxRow(i)[labels[i]]);
            weightSum += weights[labels[i]];
        }
        var loss = new SparseCrossEntropy(weights, ignore).Forward(Logits(), Labels(labels));
        Assert.Equal(nll / weightSum, loss.Item<double>(), 12);

        var plain = Loss.Create("crossentropy").Forward(Logits(), Labels());
        Assert.Equal(Enumerable.Range(0, 6).Average(i => -Math.Log(SoftmaxRow(i)[LabelValues[i]])), plain.Item<double>(), 12);
        Assert.Contains("2 class weights for logits", Assert.Throws<ArgumentException>(() => new SparseCrossEntropy([1, 1]).Forward(Logits(), Labels())).Message);
    }

    private static double DiceByHand(int[] labels, double smooth, int? ignore)
    {
        double sum = 0;
        for (int k = 0; k < 3; k++)
        {
            double intersection = 0, predicted = 0, truth = 0;
            for (int i = 0; i < labels.Length; i++)
            {
                if (labels[i] == ignore) continue;
                double p = SoftmaxRow(i)[k], y = labels[i] == k ? 1 : 0;
                intersection += p * y;
                predicted += p;
                truth += y;
            }
            sum += (2 * intersection + smooth) / (predicted + truth + smooth);
        }
        return 1 - sum / 3;
    }

    [Theory]
    [InlineData(1.0, null)]
    [InlineData(0.0, null)]
    [InlineData(0.5, 7)]
    public void Dice_is_one_minus_the_mean_soft_dice_over_classes(double smooth, int? ignore)
    {
        using var scope = TensorScope.Begin();
        int[] labels = ignore is null ? LabelValues : [0, 2, ignore.Value, 2, ignore.Value, 1];
        var loss = new DiceLoss(smooth, ignore).Forward(Logits(), Labels(labels));
        Assert.Equal(DiceByHand(labels, smooth, ignore), loss.Item<double>(), 12);
    }

    [Fact]
    public void Dice_of_a_confident_correct_prediction_is_near_zero_and_float32_agrees()
    {
        using var scope = TensorScope.Begin();
        var confident = new float[LabelValues.Length * 3];
        for (int i = 0; i < LabelValues.Length; i++) confident[i * 3 + LabelValues[i]] = 30;
        Assert.InRange(new DiceLoss().Forward(Tensor.FromArray(confident, [1, 2, 3, 3]), Labels()).Item<float>(), 0f, 1e-6f);

        var logits32 = Tensor.FromArray(Array.ConvertAll(LogitValues, v => (float)v), [1, 2, 3, 3]);
        Assert.Equal(DiceByHand(LabelValues, 1, null), new DiceLoss().Forward(logits32, Labels()).Item<float>(), 5);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(255)]
    public void Dice_gradient_matches_finite_differences(int? ignore)
    {
        using var scope = TensorScope.Begin();
        var labels = Labels(ignore is null ? LabelValues : [0, 2, 255, 2, 0, 255]);
        var dice = new DiceLoss(1, ignore);
        var result = GradCheck.Check(x => dice.Forward(x[0], labels), [Logits()], [0]);
        Assert.True(result.Passed, result.Detail);
    }

    [Fact]
    public void Dice_refuses_labels_outside_the_classes_naming_the_pixel()
    {
        using var scope = TensorScope.Begin();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DiceLoss().Forward(Logits(), Labels([0, 1, 2, 3, 0, 0])));
        Assert.Contains("dice: label 3 at pixel 3 of int32 [1, 2, 3] is outside [0, 3)", error.Message);
        Assert.Contains("must be int32 shaped like logits", Assert.Throws<ArgumentException>(() => new DiceLoss().Forward(Logits(), Tensor.Zeros([1, 3, 2], DType.Int32))).Message);
    }

    [Fact]
    public void Create_knows_the_names()
    {
        Assert.IsType<DiceLoss>(Loss.Create("Dice", ignoreLabel: 2));
        Assert.Equal([1.0, 2.0], Assert.IsType<SparseCrossEntropy>(Loss.Create("crossentropy", [1, 2])).ClassWeights);
        Assert.Contains("unknown loss 'focal'", Assert.Throws<ArgumentException>(() => Loss.Create("focal")).Message);
        Assert.Contains("unknown loss 'focal'", Assert.Throws<ArgumentException>(() => Loss.Create("dice+focal")).Message);
    }

    [Fact]
    public void A_sum_of_losses_is_the_sum_of_its_terms_and_passes_class_weights_to_cross_entropy_only()
    {
        using var scope = TensorScope.Begin();
        var sum = Assert.IsType<SumLoss>(Loss.Create("crossentropy+dice", [1, 2, 3]));
        Assert.Equal("crossentropy+dice", sum.Name);
        Assert.Equal([1.0, 2.0, 3.0], Assert.IsType<SparseCrossEntropy>(sum.Terms[0]).ClassWeights);
        Assert.IsType<DiceLoss>(sum.Terms[1]);
        double ce = Loss.Create("crossentropy", [1, 2, 3]).Forward(Logits(), Labels()).ToArray<double>()[0];
        double dice = new DiceLoss().Forward(Logits(), Labels()).ToArray<double>()[0];
        Assert.Equal(ce + dice, sum.Forward(Logits(), Labels()).ToArray<double>()[0], 12);
    }
}
