using System.Diagnostics;
using NeuralCore.Layers.Models.MaskRcnn;
using NeuralCore.Tensors;
using NeuralCore.Tests;
using Xunit.Abstractions;

namespace NeuralCore.Layers.Tests.Models.MaskRcnn;

/// <summary>
/// The scaled-down twin (see <see cref="MaskRcnnTwin"/>) on the GPU backend's emulator against the same code on the
/// CPU: weights on the device, the convolutions, RoIAlign and the heads' layers run there. Different kernels sum in
/// different orders, so values agree to float32 rounding (measured: boxes 5e-5 px, scores 1e-6, mask probabilities
/// 5e-6 apart); the tolerances are 20x that, and labels and binary masks must be equal.
/// </summary>
public class MaskRcnnEmulatorTests(ITestOutputHelper output)
{
    private const double BoxTolerance = 1e-3, ScoreTolerance = 2e-5, MaskTolerance = 1e-4;

    /// <summary>
    /// The heads alone on the fixture's FPN levels, kept small for CI (the emulator's time goes mostly into launches
    /// and convolutions): the box head (RoIAlign 7x7, the FCs, softmax, decode) on the first 64 proposals, the mask head
    /// (RoIAlign 14x14, the convolutions, the transposed convolution) on its best 4 detections.
    /// </summary>
    [Fact]
    public void BoxAndMaskHeadsRunOnTheEmulatorAsOnTheCpu()
    {
        using var scope = TensorScope.Begin();
        var (cpu, cpuMasks) = Heads(Device.Cpu);
        var clock = Stopwatch.StartNew();
        var (emulated, emulatedMasks) = Heads(Device.Emulated);
        output.WriteLine($"heads on the emulator: {clock.Elapsed.TotalSeconds:F1} s, {cpu.Count} detections");
        Assert.Equal(4, cpu.Count);
        Assert.Equal(cpu.Labels, emulated.Labels);
        AssertWithin("boxes", cpu.Boxes, emulated.Boxes, BoxTolerance);
        AssertWithin("scores", cpu.Scores, emulated.Scores, ScoreTolerance);
        AssertWithin("mask probabilities", cpuMasks, emulatedMasks, MaskTolerance);
    }

    /// <summary>Photo to instances: the transform, ResNet + FPN, RPN and both heads (about 2.5 minutes on the emulator).</summary>
    [EmulatorLargeFact]
    [Trait("Emulator", "Large")]
    public void TheWholeTwinDetectsOnTheEmulatorAsOnTheCpu()
    {
        var settings = new MaskRcnnSettings
        {
            Transform = new MaskRcnnTransform(MinSize: 64, MaxSize: 128), BoxHead = new BoxHeadSettings(DetectionsPerImage: 20),
        };
        using var image = MaskRcnnTwin.Image();
        var cpu = MaskRcnnModel.Load(MaskRcnnTwin.WeightsPath, settings).Detect(image);
        var clock = Stopwatch.StartNew();
        var emulated = MaskRcnnModel.Load(MaskRcnnTwin.WeightsPath, settings, Device.Emulated).Detect(image);
        output.WriteLine($"the twin on the emulator: {clock.Elapsed.TotalSeconds:F1} s, {cpu.Count} instances");
        Assert.NotEmpty(cpu);
        Assert.Equal(cpu.Select(i => i.Label), emulated.Select(i => i.Label));
        AssertWithin("boxes", cpu.SelectMany(Corners).ToArray(), emulated.SelectMany(Corners).ToArray(), BoxTolerance);
        AssertWithin("scores", cpu.Select(i => i.Score).ToArray(), emulated.Select(i => i.Score).ToArray(), ScoreTolerance);
        AssertWithin("mask probabilities", cpu.SelectMany(i => i.Mask).ToArray(), emulated.SelectMany(i => i.Mask).ToArray(), MaskTolerance);
        Assert.Equal(cpu.SelectMany(i => i.Mask).Select(p => p > 0.5f), emulated.SelectMany(i => i.Mask).Select(p => p > 0.5f));

        static float[] Corners(Instance i) => [i.X1, i.Y1, i.X2, i.Y2];
    }

    /// <summary>The box head on the fixture's first 64 proposals, then the mask head on its detections, with weights and levels on <paramref name="device"/>.</summary>
    private static (Detections Detections, float[] Masks) Heads(Device device)
    {
        var weights = MaskRcnnWeights.Read(MaskRcnnTwin.WeightsPath);
        var boxHead = new BoxHead(weights, 16, new BoxHeadSettings(DetectionsPerImage: 4));
        var maskHead = new MaskHead(weights, 16);
        boxHead.MoveTo(device);
        maskHead.MoveTo(device);
        var size = MaskRcnnTwin.Stage("image_size").ToArray<float>();
        var levels = new[] { "fpn_0", "fpn_1", "fpn_2", "fpn_3" }.Select(n => MaskRcnnTwin.Stage(n).To(device)).ToArray();
        var detections = boxHead.Forward(levels, MaskRcnnTwin.Stage("proposals").ToArray<float>()[..(64 * 4)], (int)size[0], (int)size[1]);
        return (detections, maskHead.Forward(levels, detections, (int)size[0]));
    }

    private static void AssertWithin(string what, float[] cpu, float[] emulated, double tolerance)
    {
        Assert.Equal(cpu.Length, emulated.Length);
        int worst = Enumerable.Range(0, cpu.Length).MaxBy(i => Math.Abs(cpu[i] - emulated[i]));
        double error = cpu.Length == 0 ? 0 : Math.Abs(cpu[worst] - emulated[worst]);
        Assert.True(error <= tolerance, $"{what}: element {worst} is {emulated[worst]} on the emulator, {cpu[worst]} on the cpu (allowed {tolerance})");
    }
}
