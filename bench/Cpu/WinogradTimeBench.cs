using System.Diagnostics;
using NeuralCore.Kernels;
using NeuralCore.Kernels.Cpu;
using NeuralCore.Kernels.Reference;

namespace NeuralCore.Bench.Cpu;

/// <summary>
/// `bench winograd-time [--rounds R] [--batch N]`: 3x3 'same' convolutions C->C (forward and input gradient) timed
/// with the direct implicit GEMM, Winograd F(2,3) and F(4,3), interleaved round by round in one process and quoted as
/// the best of the rounds, so that load from other processes on this shared VM hits all three alike. Used to pick the
/// tile size and the channel threshold of <see cref="CpuConv2d.WinogradMinChannels"/>.
/// </summary>
public static unsafe class WinogradTimeBench
{
    private static readonly (int H, int C)[] Shapes = [(128, 64), (32, 256), (64, 16), (64, 32), (64, 128), (16, 512), (8, 256)];

    public static void Run(string[] args)
    {
        int rounds = BenchArgs.Int(args, "--rounds", 5), batch = BenchArgs.Int(args, "--batch", 8);
        Console.WriteLine($"{"shape",-26} {"pass",-14} {"direct ms",10} {"F2 ms",8} {"F4 ms",8} {"F2 x",6} {"F4 x",6}");
        foreach (var (h, c) in Shapes)
        {
            var g = NeuralCore.Kernels.Ops.Conv2dGeometryOf("conv2d", [batch, h, h, c], [3, 3, c, c], new Conv2dAttrs { Padding = Padding2d.Same });
            var random = new Random(1);
            float[] x = new float[batch * h * h * c], w = new float[9 * c * c], y = new float[x.Length];
            for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble() - 0.5f;
            for (int i = 0; i < w.Length; i++) w[i] = (float)random.NextDouble() - 0.5f;
            foreach (var pass in new[] { ConvPass.Forward, ConvPass.BackwardInput })
            {
                double[] best = [double.MaxValue, double.MaxValue, double.MaxValue];
                for (int r = 0; r < rounds; r++)
                    for (int algorithm = 0; algorithm < 3; algorithm++)
                        best[algorithm] = Math.Min(best[algorithm], Time(pass, g, x, w, y, algorithm));
                Console.WriteLine($"{$"[{batch},{h},{h},{c}] 3x3 {c}->{c}",-26} {pass,-14} {best[0],10:F3} {best[1],8:F3} {best[2],8:F3} {best[0] / best[1],6:F2} {best[0] / best[2],6:F2}");
            }
        }
    }

    /// <summary>Milliseconds of one call (after a warm-up call) with algorithm 0 direct, 1 F(2,3), 2 F(4,3).</summary>
    private static double Time(ConvPass pass, Conv2dGeometry g, float[] x, float[] w, float[] y, int algorithm)
    {
        double ms = 0;
        for (int call = 0; call < 2; call++)
        {
            long start = Stopwatch.GetTimestamp();
            if (algorithm == 0)
            {
                ConvAlgorithmSetting.WinogradAllowed = false;
                CpuConv2d.TryRun(pass, g, x, w, y);
                ConvAlgorithmSetting.WinogradAllowed = true;
            }
            else
            {
                var tile = algorithm == 1 ? WinogradTile.F2 : WinogradTile.F4;
                fixed (float* px = x, pw = w, py = y)
                {
                    if (pass == ConvPass.Forward) WinogradConv.Forward(tile, g, px, pw, py);
                    else WinogradConv.BackwardInput(tile, g, px, pw, py);
                }
            }
            ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return ms;
    }
}
