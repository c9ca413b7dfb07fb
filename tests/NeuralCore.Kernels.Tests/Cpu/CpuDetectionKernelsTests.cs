using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Tests.Cpu;

/// <summary>
/// The Cpu detection kernels (CpuRoiAlign, CpuNms, CpuResize) do the reference's float32 arithmetic in its order, so
/// they must give bit-identical results, not merely results within the catalog tolerance: checked on every catalog
/// case of these ops (benchmark shapes too, but for the largest) and on the edge cases the catalog's random draws
/// miss: equal scores (including -0 against +0 and NaN), IoU exactly at the threshold, RoIs wholly outside the map,
/// channel counts that leave a partial vector.
/// </summary>
public class CpuDetectionKernelsTests
{
    /// <summary>The conformance cases (catalog test cases) of the ops with these kernels.</summary>
    public static TheoryData<string, int> CatalogCases()
    {
        string[] ops = ["roi_align", "roi_align_backward", "nms", "resize"];
        var data = new TheoryData<string, int>();
        foreach (var row in ConformanceTests.Cases().Where(row => ops.Contains((string)row[0]))) data.Add((string)row[0], (int)row[1]);
        return data;
    }

    [Theory]
    [MemberData(nameof(CatalogCases))]
    public void BitIdenticalToTheReferenceOnCatalogCases(string opName, int caseIndex)
    {
        var op = OpCatalog.Get(opName);
        var opCase = op.Cases[caseIndex];
        var inputs = CaseInputs.Create(opCase, DType.Float32, seed: 99);
        Tensor[] expected, actual;
        using (Backend.Use(KernelBackend.Reference)) expected = op.Run(inputs, opCase.Attrs);
        using (Backend.Use(KernelBackend.Cpu)) actual = op.Run(inputs, opCase.Attrs);
        for (int i = 0; i < expected.Length; i++) TensorAssert.Close(expected[i], actual[i], Tolerance.Exact, $"{opName} [{opCase}] output {i}");
    }

    [Fact]
    public void NmsBreaksScoreTiesByIndexLikeTheReference()
    {
        // 400 overlapping boxes on a small field, scores from five values (+0 and -0 count as equal, NaN goes last).
        var rng = new Random(7);
        float[] levels = [0.5f, 0.25f, 0f, -0f, float.NaN];
        var boxes = new float[400 * 4];
        var scores = new float[400];
        for (int i = 0; i < 400; i++)
        {
            float x = rng.Next(0, 40), y = rng.Next(0, 40);
            (boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2], boxes[i * 4 + 3]) = (x, y, x + rng.Next(5, 20), y + rng.Next(5, 20));
            scores[i] = levels[rng.Next(levels.Length)];
        }
        foreach (double threshold in new[] { 0.3, 0.5, 0.7 })
        {
            int[] expected = KeptBy(KernelBackend.Reference, boxes, scores, threshold), actual = KeptBy(KernelBackend.Cpu, boxes, scores, threshold);
            Assert.Equal(expected, actual);
            Assert.InRange(expected.Length, 2, 399); // the case suppresses something and keeps more than one box
        }
    }

    [Fact]
    public void NmsKeepsABoxWhoseIouEqualsTheThreshold()
    {
        // IoU of the pair: 70 / 100 = 0.7f exactly as float; 0.7 as a double lies above 0.7f, 0.6999999 below it.
        float[] boxes = [0, 0, 10, 10, 0, 0, 10, 7];
        float[] scores = [0.9f, 0.8f];
        foreach (var backend in new[] { KernelBackend.Reference, KernelBackend.Cpu })
        {
            Assert.Equal([0, 1], KeptBy(backend, boxes, scores, 0.7));
            Assert.Equal([0, 1], KeptBy(backend, boxes, scores, (double)0.7f));
            Assert.Equal([0], KeptBy(backend, boxes, scores, 0.6999999));
        }
    }

    [Fact]
    public void RoiAlignOutsideTheMapAndPartialVectorsMatchBitForBit()
    {
        // 37 channels: two AVX-512 vectors and a scalar tail (AVX2: four and a tail). RoIs: wholly outside on each
        // side, straddling the border, sub-pixel, and one on the second image.
        var rng = new RandomGenerator(3);
        var xValues = new float[2 * 9 * 13 * 37];
        rng.FillNormal(xValues);
        using var x = Tensor.FromArray(xValues, [2, 9, 13, 37]);
        float[] roiValues =
        [
            0, -40, -30, -20, -10,
            0, 60, 50, 90, 80,
            0, -5, 2, 6, 30,
            0, 10.2f, 7.1f, 10.4f, 7.3f,
            1, 3, 1, 40, 33,
            1, 50, -8, 60, 12,
        ];
        using var rois = Tensor.FromArray(roiValues, [6, 5]);
        foreach (var attrs in new[] { new RoiAlignAttrs(7, 7, 0.25, 2), new RoiAlignAttrs(3, 5, 0.5, 0) })
        {
            var dyValues = new float[6 * attrs.PooledH * attrs.PooledW * 37];
            rng.FillNormal(dyValues);
            using var dy = Tensor.FromArray(dyValues, [6, attrs.PooledH, attrs.PooledW, 37]);
            Tensor refY, refDx, cpuY, cpuDx;
            using (Backend.Use(KernelBackend.Reference)) (refY, refDx) = (Ops.RoiAlign(x, rois, attrs), Ops.RoiAlignBackward(dy, rois, x.Shape, attrs));
            using (Backend.Use(KernelBackend.Cpu)) (cpuY, cpuDx) = (Ops.RoiAlign(x, rois, attrs), Ops.RoiAlignBackward(dy, rois, x.Shape, attrs));
            TensorAssert.Close(refY, cpuY, Tolerance.Exact, $"roi_align {attrs}");
            TensorAssert.Close(refDx, cpuDx, Tolerance.Exact, $"roi_align_backward {attrs}");
            Assert.Contains(0f, cpuY.ToArray<float>()); // the RoIs outside the map pool zeros
        }
    }

    [Fact]
    public void RoiAlignRejectsABatchIndexOutsideTheFeatures()
    {
        using var _ = Backend.Use(KernelBackend.Cpu);
        using var x = Tensor.Zeros([2, 4, 4, 3], DType.Float32);
        using var rois = Tensor.FromArray(new float[] { 0, 0, 0, 2, 2, 2, 0, 0, 2, 2 }, [2, 5]);
        var attrs = new RoiAlignAttrs(2, 2, 1.0, 2);
        var error = Assert.Throws<OpException>(() => Ops.RoiAlign(x, rois, attrs));
        Assert.Contains("RoI 1 has batch index 2", error.Message);
        using var dy = Tensor.Zeros([2, 2, 2, 3], DType.Float32);
        Assert.Throws<OpException>(() => Ops.RoiAlignBackward(dy, rois, x.Shape, attrs));
    }

    [Fact]
    public void ResizeWithPartialVectorsMatchesBitForBit()
    {
        var rng = new RandomGenerator(5);
        foreach (var (shape, h, w) in new (Shape, int, int)[] { ([2, 7, 5, 17], 16, 11), ([1, 30, 41, 3], 11, 13), ([1, 1, 6, 1], 5, 1) })
        {
            var values = new float[shape.ElementCount];
            rng.FillNormal(values);
            using var x = Tensor.FromArray(values, shape);
            Tensor expected, actual;
            using (Backend.Use(KernelBackend.Reference)) expected = Ops.Resize(x, h, w);
            using (Backend.Use(KernelBackend.Cpu)) actual = Ops.Resize(x, h, w);
            TensorAssert.Close(expected, actual, Tolerance.Exact, $"resize {shape} -> {h}x{w}");
        }
    }

    private static int[] KeptBy(KernelBackend backend, float[] boxes, float[] scores, double threshold)
    {
        using var _ = Backend.Use(backend);
        using var b = Tensor.FromArray(boxes, [scores.Length, 4]);
        using var s = Tensor.FromArray(scores, [scores.Length]);
        using var keep = Ops.Nms(b, s, threshold);
        return keep.ToArray<int>();
    }
}
