using NeuralCore.Kernels;
using NeuralCore.Kernels.Cpu;
using NeuralCore.Kernels.Reference;

namespace NeuralCore.Bench.Cpu;

/// <summary>
/// `bench winograd-error [--batch N]`: the rounding error of the direct (implicit-GEMM) path and of Winograd F(2,3)
/// and F(4,3) against float64 reference loops, on the 3x3 anchor shapes with standard-normal inputs, forward and
/// input gradient. Prints max |err| relative to max |ref| and to the rms of ref, and how many elements fall outside
/// the conformance tolerance (Tolerance.Accumulating: 1e-4 + 1e-4 |ref|). Batch 1 by default: the statistics are
/// per element, and the float64 loops are slow.
/// </summary>
public static unsafe class WinogradErrorBench
{
    private static readonly (string Name, int H, int W, int C)[] Shapes =
    [
        ("3x3 64->64", 128, 128, 64),
        ("3x3 256->256", 32, 32, 256),
        ("3x3 32->32 ragged 13x11", 13, 11, 32),
    ];

    public static void Run(string[] args)
    {
        int batch = BenchArgs.Int(args, "--batch", 1);
        Console.WriteLine($"{"shape",-26} {"pass",-15} {"algorithm",-10} {"max|err|/max|ref|",18} {"max|err|/rms",13} {"outside tol",11}");
        foreach (var (name, h, w, c) in Shapes)
        {
            var g = NeuralCore.Kernels.Ops.Conv2dGeometryOf("conv2d", [batch, h, w, c], [3, 3, c, c], new Conv2dAttrs { Padding = Padding2d.Same });
            var random = new Random(42);
            float[] x = Normal(random, batch * h * w * c), weight = Normal(random, 9 * c * c);
            foreach (var pass in new[] { ConvPass.Forward, ConvPass.BackwardInput })
            {
                double[] expected = new double[x.Length];
                ReferenceConv2d.Run<double>(pass, g, Array.ConvertAll(x, v => (double)v), Array.ConvertAll(weight, v => (double)v), expected);
                float[] actual = new float[x.Length];
                bool allowed = ConvAlgorithmSetting.WinogradAllowed;
                ConvAlgorithmSetting.WinogradAllowed = false;
                CpuConv2d.TryRun(pass, g, x, weight, actual);
                ConvAlgorithmSetting.WinogradAllowed = allowed;
                Report(name, pass, "direct", expected, actual);
                foreach (var tile in new[] { WinogradTile.F2, WinogradTile.F4 })
                {
                    fixed (float* px = x, pw = weight, pr = actual)
                    {
                        if (pass == ConvPass.Forward) WinogradConv.Forward(tile, g, px, pw, pr);
                        else WinogradConv.BackwardInput(tile, g, px, pw, pr);
                    }
                    Report(name, pass, tile.ToString(), expected, actual);
                }
            }
        }
    }

    private static void Report(string shape, ConvPass pass, string algorithm, double[] expected, float[] actual)
    {
        double maxErr = 0, maxRef = 0, sumSquares = 0;
        int outside = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            maxErr = Math.Max(maxErr, err);
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
            sumSquares += expected[i] * expected[i];
            if (err > 1e-4 + 1e-4 * Math.Abs(expected[i])) outside++;
        }
        double rms = Math.Sqrt(sumSquares / expected.Length);
        Console.WriteLine($"{shape,-26} {pass,-15} {algorithm,-10} {maxErr / maxRef,18:E2} {maxErr / rms,13:E2} {outside,11}");
    }

    private static float[] Normal(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return values;
    }
}
