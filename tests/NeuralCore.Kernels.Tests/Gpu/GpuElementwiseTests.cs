using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Tests.Gpu;

/// <summary>
/// The Elementwise group's GPU kernels where the catalog's small cases do not reach: dropout's mask bit for bit
/// against the CPU kernel, the split (two-pass) sums, zero_pad_backward (no catalog entry) and bilinear upsample
/// backward with uneven scales, each on the emulator against the Reference.
/// </summary>
public class GpuElementwiseTests
{
    [Theory]
    [InlineData(0.5, 42ul, 0ul, 1027)]
    [InlineData(0.3, 7ul, 1000ul, 513)]
    [InlineData(0.5, 11ul, 0xFFFF_FFF8ul, 130)] // the counter's low word wraps into the high word
    [InlineData(0.9, 0xDEAD_BEEF_0000_0001ul, 0x1_0000_0003ul, 66)] // both halves of seed and counter non-zero
    [InlineData(0.05, 3ul, 0ul, 257)]
    public void DropoutKeepsExactlyTheElementsTheCpuKeeps(double rate, ulong seed, ulong offset, int count)
    {
        var values = Enumerable.Range(0, count).Select(i => 1f + i % 17 * 0.25f).ToArray();
        using var host = Tensor.FromArray(values, [count]);
        using var device = host.To(Device.Emulated);
        var attrs = new DropoutAttrs(rate, seed, offset);
        float[] cpu;
        using (Backend.Use(KernelBackend.Cpu)) using (var y = Ops.Dropout(host, attrs)) cpu = y.ToArray<float>();
        using var gpu = Ops.Dropout(device, attrs);
        var got = gpu.ToArray<float>();
        for (int i = 0; i < count; i++)
        {
            bool kept = Philox.ToUnitFloat(Philox.Word(seed, offset, i)) >= rate;
            Assert.True(kept == (got[i] != 0), $"element {i}: the GPU {(got[i] != 0 ? "kept" : "dropped")} it, Philox says {(kept ? "keep" : "drop")}");
            Assert.True(BitConverter.SingleToInt32Bits(cpu[i]) == BitConverter.SingleToInt32Bits(got[i]), $"element {i}: GPU {got[i]:G9}, CPU {cpu[i]:G9}");
        }
        Assert.Contains(got, v => v == 0);
    }

    [Theory]
    [InlineData(new[] { 9_000 }, new int[0])] // one long row: three chunks of 3,000 summed again by a second group
    [InlineData(new[] { 2, 4_200 }, new[] { 1 })] // each row split into two chunks
    [InlineData(new[] { 2_500, 3 }, new[] { 0 })] // columns split, partials [3, 79] summed as rows
    [InlineData(new[] { 10, 7, 20, 2 }, new[] { 0, 2 })] // kept and reduced axes interleaved (and split)
    [InlineData(new[] { 5, 1, 3 }, new[] { 1 })] // only a size-1 axis reduced: a scaled copy
    public void SplitAndInterleavedSumsMatchTheReference(int[] shape, int[] axes)
    {
        using var x = Tensor.FromArray(Values(new Shape(shape).ElementCount), shape);
        MatchesReferenceAndRepeats(x, t => Ops.Mean(t, axes, keepDims: true), Tolerance.Accumulating, $"mean of {x.Shape} over [{string.Join(",", axes)}]");
    }

    [Theory]
    [InlineData(0, 1, 0, 1)]
    [InlineData(2, 1, 3, 0)]
    [InlineData(0, 0, 0, 0)]
    public void ZeroPadBackwardCropsAsTheReference(int top, int bottom, int left, int right)
    {
        var attrs = new ZeroPadAttrs(top, bottom, left, right);
        using var dy = Tensor.FromArray(Values(2 * 6 * 7 * 3), [2, 6, 7, 3]);
        MatchesReferenceAndRepeats(dy, t => Ops.ZeroPadBackward(t, attrs), Tolerance.Exact, $"zero_pad_backward {attrs}");
    }

    [Theory]
    [InlineData(3, 3, UpsampleMode.Bilinear)]
    [InlineData(4, 1, UpsampleMode.Bilinear)]
    [InlineData(3, 2, UpsampleMode.Nearest)]
    public void UpsampleBackwardGathersWhatTheReferenceScatters(int scaleH, int scaleW, UpsampleMode mode)
    {
        var attrs = new UpsampleAttrs(scaleH, scaleW, mode);
        using var dy = Tensor.FromArray(Values(2 * 4 * scaleH * 3 * scaleW * 2), [2, 4 * scaleH, 3 * scaleW, 2]);
        MatchesReferenceAndRepeats(dy, t => Ops.UpsampleBackward(t, attrs), Tolerance.Accumulating, $"upsample_backward {attrs}");
    }

    /// <summary>The op on the emulator agrees with the Reference backend within the tolerance, and a second run gives the same bits.</summary>
    private static void MatchesReferenceAndRepeats(Tensor input, Func<Tensor, Tensor> op, Tolerance tolerance, string label)
    {
        Tensor expected;
        using (Backend.Use(KernelBackend.Reference)) expected = op(input);
        using var device = input.To(Device.Emulated);
        using var first = op(device);
        using var second = op(device);
        TensorAssert.Close(expected, first, tolerance, $"{label} on the emulator");
        TensorAssert.Close(first, second, Tolerance.Exact, $"{label}, second run on the emulator");
        expected.Dispose();
    }

    private static float[] Values(int count)
    {
        var values = new float[count];
        new RandomGenerator(99).FillNormal(values);
        return values;
    }
}
