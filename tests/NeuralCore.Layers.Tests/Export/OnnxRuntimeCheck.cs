using Microsoft.ML.OnnxRuntime;
using NeuralCore.Autograd;
using NeuralCore.Layers.Export.Onnx;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Tests.Export;

/// <summary>Runs an exported file in ONNX Runtime and the same network on our engine, on the same input.</summary>
internal static class OnnxRuntimeCheck
{
    /// <summary>Uniform [-1, 1) values from a fixed seed, shaped [N, H, W, C].</summary>
    public static float[] Input(Shape shape, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, shape.ElementCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>The exported graph's 'logits' for <paramref name="input"/> [N, H, W, C], and their shape.</summary>
    public static (float[] Values, long[] Shape) RunOnnx(InferenceSession session, float[] input, Shape shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape.ToArray().Select(d => (long)d).ToArray());
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [OnnxExporter.InputName], [value], [OnnxExporter.OutputName]);
        var output = outputs[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    /// <summary>Our inference-mode forward pass on the same values.</summary>
    public static float[] RunOurs(Module model, float[] input, Shape shape)
    {
        model.Eval();
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        return model.Forward(Tensor.FromArray(input, shape)).ToArray<float>();
    }

    /// <summary>|ours - onnx| &lt;= 1e-4 x max(1, max|ours|) everywhere; the message names the worst element.</summary>
    public static void AssertClose(float[] ours, float[] onnx, string what)
    {
        Assert.Equal(ours.Length, onnx.Length);
        double scale = Math.Max(1, ours.Max(v => Math.Abs((double)v)));
        int worst = 0;
        double worstDiff = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            double diff = Math.Abs((double)ours[i] - onnx[i]);
            if (!(diff <= worstDiff)) (worst, worstDiff) = (i, diff);
        }
        Assert.True(worstDiff <= 1e-4 * scale,
            $"{what}: ONNX Runtime differs by {worstDiff:G3} at element {worst} (ours {ours[worst]}, onnx {onnx[worst]}; tolerance {1e-4 * scale:G3})");
    }

    /// <summary>
    /// Gives every BatchNorm non-trivial statistics and every bias a value: freshly built layers hold 0 and 1, which
    /// would let a wrong mapping of those tensors (swapped mean and variance, a dropped bias) pass unnoticed.
    /// </summary>
    public static void RandomizeStatistics(Module model, int seed)
    {
        var random = new Random(seed);
        void Fill(Tensor t, double lo, double hi)
        {
            var span = t.Span<float>();
            for (int i = 0; i < span.Length; i++) span[i] = (float)(lo + (hi - lo) * random.NextDouble());
        }
        foreach (var (_, module) in model.Modules())
        {
            switch (module)
            {
                case BatchNorm2d bn:
                    Fill(bn.Gamma, 0.5, 1.5);
                    Fill(bn.Beta, -0.2, 0.2);
                    Fill(bn.MovingMean, -0.2, 0.2);
                    Fill(bn.MovingVariance, 0.5, 1.5);
                    break;
                case Conv2d { Bias: { } bias }:
                    Fill(bias, -0.1, 0.1);
                    break;
                case ConvTranspose2d { Bias: { } bias }:
                    Fill(bias, -0.1, 0.1);
                    break;
                case DepthwiseConv2d { Bias: { } bias }:
                    Fill(bias, -0.1, 0.1);
                    break;
            }
        }
    }
}
