using NeuralCore.Tensors;
using NeuralCore.Tensors.Memory;

namespace NeuralCore.Tensors.Tests;

public class TensorTests
{
    [Fact]
    public void StorageIs64ByteAligned()
    {
        using var t = Tensor.Empty([3, 5, 7], DType.Float32);
        Assert.Equal(0, t.DataPointer % 64);
    }

    [Fact]
    public void ReshapeIsAViewSharingStorage()
    {
        using var t = Tensor.FromArray(Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), [2, 3, 4]);
        using var r = t.Reshape(6, -1);
        Assert.Equal(new Shape(6, 4), r.Shape);
        r.Span<float>()[5] = 100;
        Assert.Equal(100, t.Span<float>()[5]);
    }

    [Fact]
    public void SliceAlongChannelsIsAStridedViewAndContiguousCopies()
    {
        // NHWC [1, 2, 2, 3]: values encode (h, w, c) as 100h + 10w + c.
        var data = new float[12];
        for (int h = 0; h < 2; h++) for (int w = 0; w < 2; w++) for (int c = 0; c < 3; c++) data[(h * 2 + w) * 3 + c] = 100 * h + 10 * w + c;
        using var t = Tensor.FromArray(data, [1, 2, 2, 3]);
        using var s = t.Slice(3, 1, 2);
        Assert.False(s.IsContiguous);
        Assert.Equal([1f, 2, 11, 12, 101, 102, 111, 112], s.ToArray<float>());
        Assert.Throws<InvalidOperationException>(() => s.Span<float>());
    }

    [Fact]
    public void BadReshapeAndSliceNameTheTensor()
    {
        using var t = Tensor.Zeros([2, 3]);
        t.Name = "conv1.weight";
        var e = Assert.Throws<ArgumentException>(() => t.Reshape(4, 2));
        Assert.Contains("conv1.weight", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Slice(1, 2, 2));
    }

    [Fact]
    public void WrongDTypeAccessIsRefused()
    {
        using var t = Tensor.Zeros([4], DType.Int32);
        var e = Assert.Throws<InvalidOperationException>(() => t.Span<float>());
        Assert.Contains("int32", e.Message);
    }

    [Fact]
    public void DisposedTensorIsRefusedWithItsDescription()
    {
        var t = Tensor.Zeros([2, 2]);
        t.Dispose();
        Assert.Throws<ObjectDisposedException>(() => t.Span<float>());
    }

    [Fact]
    public void OnlyFloatTensorsRequireGrad()
    {
        using var labels = Tensor.Zeros([3], DType.Int32);
        Assert.Throws<InvalidOperationException>(() => labels.RequiresGrad = true);
    }
}

public class MemoryTests
{
    [Fact]
    public void FreedBlocksAreReusedNotReturnedToTheOs()
    {
        var pool = new NativeBlockPool();
        var first = new CpuStorage(1 << 20, pool);
        nint address = first.Pointer;
        first.Release();
        Assert.Equal(1 << 20, pool.BytesCached);
        var second = new CpuStorage((1 << 20) - 100, pool);
        Assert.Equal(address, second.Pointer);
        Assert.Equal(1, pool.OsAllocations);
        second.Release();
        pool.Trim();
        Assert.Equal(0, pool.BytesCached);
    }

    [Fact]
    public void AnEmptySizeClassBorrowsTheSmallestCachedBlockOfUpToTwiceItsSize()
    {
        var pool = new NativeBlockPool();
        var blocks = new[] { 1 << 20, 3 << 19, 5 << 20 }.Select(size => new CpuStorage(size, pool)).ToArray();
        var (oneAndAHalf, five) = (blocks[1].Pointer, blocks[2].Pointer);
        foreach (var b in blocks) b.Release();

        var borrowed = new CpuStorage(1 << 20 | 1, pool); // its own class (1.125 MB) is empty: 1.5 MB is the best fit
        Assert.Equal(oneAndAHalf, borrowed.Pointer);
        var fresh = new CpuStorage(2 << 20, pool);         // 5 MB is more than twice 2 MB: a new block
        Assert.NotEqual(five, fresh.Pointer);
        Assert.Equal(4, pool.OsAllocations);
        Assert.Equal((3L << 19) + (2L << 20), pool.BytesInUse);

        borrowed.Release();
        fresh.Release();
        Assert.Equal((1L << 20) + (3L << 19) + (5L << 20) + (2L << 20), pool.BytesCached);
        pool.Trim();
    }

    [Theory]
    [InlineData(1, 256)]
    [InlineData(1000, 1024)]
    [InlineData(1025, 1152)]
    [InlineData(4_000_000, 4_194_304)]
    public void SizesRoundToAtMostOneEighthAbove(long request, long rounded)
    {
        Assert.Equal(rounded, NativeBlockPool.RoundSize(request));
        Assert.True(NativeBlockPool.RoundSize(request) <= Math.Max(256, request * 1.125 + 64));
    }

    [Fact]
    public void ScopeReleasesEverythingCreatedInsideExceptKeptTensors()
    {
        Tensor inner, kept;
        using (TensorScope.Begin())
        {
            inner = Tensor.Zeros([16]);
            kept = TensorScope.Keep(Tensor.Zeros([16]));
        }
        Assert.True(inner.IsDisposed);
        Assert.False(kept.IsDisposed);
        kept.Dispose();
    }

    [Fact]
    public void PersistentRegionInsideAScopeOwnsNothing()
    {
        Tensor state;
        using (TensorScope.Begin())
        using (TensorScope.Persistent())
            state = Tensor.Zeros([4]);
        Assert.False(state.IsDisposed);
        state.Dispose();
    }

    [Fact]
    public void ViewsKeepStorageAliveUntilTheLastOneIsDisposed()
    {
        var t = Tensor.Zeros([8]);
        var view = t.Reshape(2, 4);
        t.Dispose();
        Assert.False(view.Storage.IsReleased);
        view.Span<float>()[0] = 1;
        view.Dispose();
        Assert.True(view.Storage.IsReleased);
    }

    [Fact]
    public void RepeatedStepsInScopesAllocateNothingNewFromTheOs()
    {
        var pool = NativeBlockPool.Shared;
        void Step()
        {
            using var _ = TensorScope.Begin();
            for (int i = 0; i < 10; i++) Tensor.Zeros([1000 + i, 37]);
        }
        Step();
        long before = pool.OsAllocations;
        for (int i = 0; i < 5; i++) Step();
        Assert.Equal(before, pool.OsAllocations);
    }
}

public class RandomTests
{
    [Fact]
    public void SameSeedAndOffsetGiveTheSameNumbers()
    {
        var a = new float[1001];
        var b = new float[1001];
        new RandomGenerator(42, 7).FillNormal(a);
        new RandomGenerator(42, 7).FillNormal(b);
        Assert.Equal(a, b);
        new RandomGenerator(43, 7).FillNormal(b);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void ElementIDependsOnlyOnSeedOffsetAndI()
    {
        // A backend computing element 6 alone must get what a sequential fill produced.
        var rng = new RandomGenerator(9, 100);
        var seq = new float[10];
        rng.FillUniform(seq);
        Assert.Equal(Philox.ToUnitFloat(Philox.Word(9, 100, 6)), seq[6]);
        Assert.Equal(103UL, rng.Offset);
    }

    [Fact]
    public void PhiloxMatchesThePublishedKnownAnswer()
    {
        // Random123 known-answer test for philox4x32-10: counter = key = 0.
        var (a, b, c, d) = Philox.Block(0, 0);
        Assert.Equal((0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u), (a, b, c, d));
    }

    [Fact]
    public void UniformAndNormalHaveTheRightMoments()
    {
        var u = new double[200_000];
        new RandomGenerator(1).FillUniform(u);
        Assert.InRange(u.Average(), 0.497, 0.503);
        Assert.True(u.All(v => v >= 0 && v < 1));
        var n = new float[200_000];
        new RandomGenerator(2).FillNormal(n);
        double mean = n.Average(v => (double)v), var = n.Average(v => (double)v * v) - mean * mean;
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(var, 0.98, 1.02);
    }
}
