using System.Diagnostics;
using NeuralCore.Layers.Models.MaskRcnn;
using NeuralCore.Tensors;
using NeuralCore.Tests;
using Xunit.Abstractions;

namespace NeuralCore.Layers.Tests.Models.MaskRcnn;

/// <summary>
/// The scaled-down twin (see <see cref="MaskRcnnTwin"/>) on the GPU backend's emulator against the same code on the
/// CPU: the weights on the device, the convolutions, RoIAlign and the heads' layers run there.
/// </summary>
public class MaskRcnnEmulatorTests(ITestOutputHelper output)
{
    private static readonly MaskRcnnSettings TwinSettings = new()
    {
        Transform = new MaskRcnnTransform(MinSize: 64, MaxSize: 128), BoxHead = new BoxHeadSettings(DetectionsPerImage: 20),
    };

    [Fact]
    public void TheWholeTwinDetectsOnTheEmulatorAsOnTheCpu()
    {
        using var image = MaskRcnnTwin.Image();
        var clock = Stopwatch.StartNew();
        var cpu = MaskRcnnModel.Load(MaskRcnnTwin.WeightsPath, TwinSettings).Detect(image);
        var cpuTime = clock.Elapsed;
        clock.Restart();
        var emulated = MaskRcnnModel.Load(MaskRcnnTwin.WeightsPath, TwinSettings, Device.Emulated).Detect(image);
        output.WriteLine($"cpu {cpuTime.TotalSeconds:F2} s, emulated {clock.Elapsed.TotalSeconds:F2} s, {cpu.Count} instances");
        Assert.NotEmpty(cpu);
        Assert.Equal(cpu.Select(i => i.Label), emulated.Select(i => i.Label));
        double box = 0, score = 0, mask = 0;
        int flipped = 0;
        for (int d = 0; d < cpu.Count; d++)
        {
            var (a, e) = (cpu[d], emulated[d]);
            box = Math.Max(box, new[] { a.X1 - e.X1, a.Y1 - e.Y1, a.X2 - e.X2, a.Y2 - e.Y2 }.Max(Math.Abs));
            score = Math.Max(score, Math.Abs(a.Score - e.Score));
            for (int p = 0; p < a.Mask.Length; p++)
            {
                mask = Math.Max(mask, Math.Abs(a.Mask[p] - e.Mask[p]));
                if (a.Mask[p] > 0.5f != e.Mask[p] > 0.5f) flipped++;
            }
        }
        output.WriteLine($"largest differences: box {box:G3} px, score {score:G3}, mask probability {mask:G3}, {flipped} binary mask pixels");
    }
}
