using System.Collections.Concurrent;

using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Kernels.Gpu;
using NeuralCore.Tensors;

using Device = NeuralCore.Tensors.Device;

namespace NeuralCore.Kernels.Tests.Gpu;

/// <summary>
/// Host&lt;-&gt;device copies through page-locked staging, the copy-stream uploader a data loader's producer thread
/// uses, and the caching allocators under two threads, on the emulator (ILGPU's CPU accelerator takes the same
/// page-locking and stream calls, so this is the path a CUDA card runs).
/// </summary>
public class GpuTransferTests
{
    private static GpuDevice Emulator => GpuDevices.Open(Device.Emulated);

    /// <summary>Sizes around the staging pieces: empty, one element, odd, and more than one piece (several copies, one download).</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1001)]
    [InlineData(PinnedStaging.ChunkBytes / sizeof(int) + 777)]
    public void UploadsAndDownloadsThroughStagingKeepEveryBit(int count)
    {
        var values = new int[count];
        for (int i = 0; i < count; i++) values[i] = i * -1640531535;
        using var host = Tensor.FromArray(values, [count]);
        using var device = host.To(Device.Emulated);
        Assert.Equal(values, device.ToArray<int>());
    }

    [Fact]
    public void StagingBlocksAreReusedOnceTheComputeStreamHasBeenSynchronised()
    {
        var staging = new PinnedStaging(Emulator.Accelerator);
        var first = staging.Rent(5000, out long capacity);
        staging.ReturnAfterComputeSync(first, capacity);
        long mark = staging.PendingMark();
        var second = staging.Rent(5000, out long secondCapacity);
        Assert.NotSame(first, second);
        staging.ComputeStreamSynchronized(mark);
        staging.Return(second, secondCapacity);
        Assert.Equal(2, staging.BlocksLocked);
        for (int i = 0; i < 3; i++)
        {
            var again = staging.Rent(4000, out long c);
            Assert.True(ReferenceEquals(again, first) || ReferenceEquals(again, second), "a cached page-locked block is handed out again");
            staging.Return(again, c);
        }
        Assert.Equal(2, staging.BlocksLocked);
        staging.Trim();
        Assert.Equal(0, staging.BytesHeld);
    }

    /// <summary>What a loader's producer does: fill a page-locked block, queue its copy on the copy stream, wait for it.</summary>
    [Fact]
    public void TheCopyStreamUploaderPutsThePinnedBytesOnTheDevice()
    {
        var images = Enumerable.Range(0, 2 * 3 * 4 * 3).Select(i => MathF.Cos(i) * 7f).ToArray();
        var labels = Enumerable.Range(0, 2 * 3 * 4).Select(i => i % 3).ToArray();
        using var uploader = new BackgroundUploader(Device.Emulated);
        using var imageBlock = uploader.Rent(images.Length * sizeof(float));
        using var labelBlock = uploader.Rent(labels.Length * sizeof(int));
        images.CopyTo(imageBlock.Span<float>(images.Length));
        labels.CopyTo(labelBlock.Span<int>(labels.Length));
        using var x = uploader.Upload(imageBlock, [2, 3, 4, 3], DType.Float32);
        using var y = uploader.Upload(labelBlock, [2, 3, 4], DType.Int32);
        uploader.Complete();
        Assert.Equal(Device.Emulated, x.Device);
        Assert.Equal(new Shape(2, 3, 4, 3), x.Shape);
        Assert.Equal(images, x.ToArray<float>());
        Assert.Equal(labels, y.ToArray<int>());
        var error = Assert.Throws<ArgumentException>(() => uploader.Upload(labelBlock, [1000], DType.Int32));
        Assert.Contains("needs 4,000 bytes", error.Message);
    }

    /// <summary>
    /// A loader's producer thread allocates while the trainer's thread allocates and frees: no block may be handed to
    /// two holders at once, and the accounting must come back to zero. (A private pool, so other tests' tensors do not count.)
    /// </summary>
    [Fact]
    public void TwoThreadsAllocatingFromOnePoolNeverShareABlock()
    {
        var pool = new GpuBlockPool(Emulator.Accelerator, "emulated (test pool)");
        var held = new ConcurrentDictionary<object, int>(ReferenceEqualityComparer.Instance);
        var failures = new ConcurrentQueue<string>();
        using var start = new Barrier(2);
        void GiveBack(List<(MemoryBuffer1D<byte, Stride1D.Dense> Block, long Capacity)> mine)
        {
            foreach (var (block, capacity) in mine)
            {
                held.TryRemove(block, out _);
                pool.Return(block, capacity);
            }
            mine.Clear();
        }
        void Churn(int thread)
        {
            var rng = new Random(thread);
            var mine = new List<(MemoryBuffer1D<byte, Stride1D.Dense> Block, long Capacity)>();
            start.SignalAndWait();
            try
            {
                // Many short rounds over two size classes, so that both threads keep hitting the same free lists.
                for (int i = 0; i < 100_000; i++)
                {
                    long bytes = 256L << rng.Next(2);
                    var block = pool.Rent(bytes, out long capacity);
                    if (!held.TryAdd(block, thread)) failures.Enqueue($"thread {thread} was handed a block thread {held.GetValueOrDefault(block)} holds");
                    if (capacity < bytes) failures.Enqueue($"asked for {bytes} bytes, got a block of {capacity}");
                    mine.Add((block, capacity));
                    if (mine.Count == 3) GiveBack(mine);
                }
                GiveBack(mine);
            }
            catch (Exception e)
            {
                failures.Enqueue($"thread {thread}: {e.GetType().Name}: {e.Message}");
            }
        }
        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() => Churn(t))).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        Assert.Empty(failures);
        Assert.Equal(0, pool.BytesInUse);
        // Two size classes, at most three blocks of each per thread: the cache was shared, not bypassed.
        Assert.InRange(pool.DriverAllocations, 1, 12);
        pool.Trim();
        Assert.Equal(0, pool.BytesCached);
    }
}
