using NeuralCore.Kernels.Cpu;
using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Tests.Cpu;

/// <summary>
/// Winograd F(2x2, 3x3) and F(4x4, 3x3) (<see cref="WinogradConv"/>, called directly so both tile sizes are checked
/// whichever one CpuConv2d picks) against float64 reference loops, forward and input gradient, on shapes that reach
/// every edge: ragged output (not a multiple of m), 'same', 'valid' and asymmetric padding, channel counts that are
/// not whole vectors (input and output tails, partial B panel), more than one depth block (Cin 300 > KC), a partial
/// last micro-panel, several tile blocks, and 1, 2 and 3 threads giving the same bits.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public unsafe class WinogradConvTests
{
    public static TheoryData<string, Shape, int, Padding2d> Convolutions => new()
    {
        { "same, ragged 9x11, Cin 20 -> Cout 40 (tails, partial panel)", [2, 9, 11, 20], 40, Padding2d.Same },
        { "valid, 10x7, 33 -> 17", [1, 10, 7, 33], 17, Padding2d.Valid },
        { "explicit (0,2,1,0), 8x9, 16 -> 24", [2, 8, 9, 16], 24, Padding2d.Explicit(0, 2, 1, 0) },
        { "Cin 300: two depth blocks", [1, 5, 6, 300], 24, Padding2d.Same },
        { "many tiles: several blocks per thread", [3, 23, 19, 16], 16, Padding2d.Same },
    };

    [Theory]
    [MemberData(nameof(Convolutions))]
    public void BothTilesMatchTheReferenceOnEveryThreadCount(string label, Shape x, int cout, Padding2d padding)
    {
        int cin = x[3];
        var g = Ops.Conv2dGeometryOf("conv2d", x, [3, 3, cin, cout], new Conv2dAttrs { Padding = padding });
        var random = new Random(label.Length);
        float[] input = Normal(random, x.ElementCount), weight = Normal(random, 9 * cin * cout);
        float[] dy = Normal(random, (int)g.OutputShape.ElementCount);
        int threads = CpuParallel.ThreadCount;
        try
        {
            foreach (var tile in new[] { WinogradTile.F2, WinogradTile.F4 })
            {
                Check($"{label}, {tile}, forward", tile, ConvPass.Forward, g, input, weight, (int)g.OutputShape.ElementCount);
                Check($"{label}, {tile}, input gradient", tile, ConvPass.BackwardInput, g, dy, weight, x.ElementCount);
            }
        }
        finally
        {
            CpuParallel.ThreadCount = threads;
        }
    }

    private static void Check(string label, WinogradTile tile, ConvPass pass, Conv2dGeometry g, float[] a, float[] w, int resultLength)
    {
        double[] expected = new double[resultLength];
        ReferenceConv2d.Run<double>(pass, g, Array.ConvertAll(a, v => (double)v), Array.ConvertAll(w, v => (double)v), expected);
        CpuParallel.ThreadCount = 1;
        float[] single = Run(tile, pass, g, a, w, resultLength);
        // Rounding grows with the number of summed terms (9 Cin) and with the tile's transform constants (F(4,3) has
        // entries up to 8 and 1/24); the bound is relative to the output's scale, not to each element.
        double scale = Math.Sqrt(expected.Average(v => v * v));
        double bound = (tile.M == 2 ? 2e-6 : 1e-4) * scale;
        for (int i = 0; i < resultLength; i++)
            Assert.True(Math.Abs(single[i] - expected[i]) <= bound,
                $"{label}: element {i} is {single[i]:G9}, expected {expected[i]:G9} (bound {bound:E2})");
        foreach (int threads in new[] { 2, 3 })
        {
            CpuParallel.ThreadCount = threads;
            float[] split = Run(tile, pass, g, a, w, resultLength);
            for (int i = 0; i < resultLength; i++)
                Assert.True(BitConverter.SingleToInt32Bits(split[i]) == BitConverter.SingleToInt32Bits(single[i]),
                    $"{label}: {threads} threads, element {i} is {split[i]:G9}, 1 thread gave {single[i]:G9}");
        }
    }

    private static float[] Run(WinogradTile tile, ConvPass pass, Conv2dGeometry g, float[] a, float[] w, int resultLength)
    {
        var result = new float[resultLength];
        result.AsSpan().Fill(float.NaN); // every element must be written
        fixed (float* pa = a, pw = w, pr = result)
        {
            if (pass == ConvPass.Forward) WinogradConv.Forward(tile, g, pa, pw, pr);
            else WinogradConv.BackwardInput(tile, g, pa, pw, pr);
        }
        return result;
    }

    /// <summary>The matrices built from the interpolation points satisfy the 1-D identity
    /// A^T [(G g) (.) (B^T d)] = correlation of d with g, exactly up to double rounding.</summary>
    [Fact]
    public void TransformMatricesComputeTheCorrelation()
    {
        var random = new Random(3);
        foreach (var tile in new[] { WinogradTile.F2, WinogradTile.F4 })
        {
            double[] d = Enumerable.Range(0, tile.Alpha).Select(_ => random.NextDouble() - 0.5).ToArray();
            double[] g = Enumerable.Range(0, 3).Select(_ => random.NextDouble() - 0.5).ToArray();
            var product = new double[tile.Alpha];
            for (int j = 0; j < tile.Alpha; j++)
            {
                double gj = 0, dj = 0;
                for (int k = 0; k < 3; k++) gj += tile.FilterMatrix[j, k] * g[k];
                for (int k = 0; k < tile.Alpha; k++) dj += tile.InputMatrix[j, k] * d[k];
                product[j] = gj * dj;
            }
            for (int i = 0; i < tile.M; i++)
            {
                double y = 0, expected = 0;
                for (int j = 0; j < tile.Alpha; j++) y += tile.OutputMatrix[i, j] * product[j];
                for (int k = 0; k < 3; k++) expected += d[i + k] * g[k];
                Assert.True(Math.Abs(y - expected) < 1e-12, $"{tile}: output {i} is {y}, expected {expected}");
            }
        }
    }

    private static float[] Normal(Random random, long count)
    {
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return values;
    }
}
