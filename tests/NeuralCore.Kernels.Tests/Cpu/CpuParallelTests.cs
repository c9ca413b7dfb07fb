using NeuralCore.Kernels.Cpu;

namespace NeuralCore.Kernels.Tests.Cpu;

/// <summary>The worker pool runs every iteration exactly once, in the documented static chunks, nests and
/// reports exceptions.</summary>
public class CpuParallelTests
{
    private struct RecordChunks : IWorkItem
    {
        public int[] Owner;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            for (int i = start; i < end; i++) Interlocked.Add(ref Owner[i], threadIndex + 1);
        }
    }

    private struct NestedLoop : IWorkItem
    {
        public int[] Counts;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            for (int i = start; i < end; i++)
            {
                var inner = new RecordChunks { Owner = new int[10] };
                CpuParallel.For(10, ref inner);
                Interlocked.Add(ref Counts[i], inner.Owner.Count(owner => owner > 0));
            }
        }
    }

    private struct Throwing : IWorkItem
    {
        public readonly void Execute(int start, int end, int threadIndex)
        {
            if (start <= 5 && 5 < end) throw new InvalidOperationException("iteration 5");
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 1000)]
    [InlineData(4, 7)]
    public void EachIterationRunsOnceInItsStaticChunk(int threads, int count)
    {
        using var pool = new WorkerPool(threads);
        for (int repeat = 0; repeat < 3; repeat++)
        {
            var body = new RecordChunks { Owner = new int[count] };
            pool.Run(count, ref body);
            int chunks = Math.Min(threads, count);
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                (int start, int end) = CpuParallel.Chunk(count, chunk, chunks);
                for (int i = start; i < end; i++) Assert.Equal(chunk + 1, body.Owner[i]);
            }
        }
    }

    /// <summary>Chunks are claimed by whichever thread gets there first (workers spinning, sleeping or late): over
    /// many back-to-back loops, every iteration still runs exactly once, with its own chunk's index.</summary>
    [Fact]
    public void ClaimedChunksRunOnceUnderBackToBackLoops()
    {
        using var pool = new WorkerPool(3);
        for (int repeat = 0; repeat < 5000; repeat++)
        {
            int count = 2 + repeat % 6;
            var body = new RecordChunks { Owner = new int[count] };
            pool.Run(count, ref body);
            int chunks = Math.Min(3, count);
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                (int start, int end) = CpuParallel.Chunk(count, chunk, chunks);
                for (int i = start; i < end; i++) Assert.Equal(chunk + 1, body.Owner[i]);
            }
            if (repeat % 1000 == 999) Thread.Sleep(2); // let the workers fall asleep now and then
        }
    }

    [Fact]
    public void ThreadCountBeyondTheClaimWordIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(0x10000));

    [Fact]
    public void NestedLoopsRunInlineAndComplete()
    {
        var body = new NestedLoop { Counts = new int[50] };
        CpuParallel.For(50, ref body);
        Assert.All(body.Counts, c => Assert.Equal(10, c));
    }

    [Fact]
    public void ExceptionInAnyChunkReachesTheCaller()
    {
        using var pool = new WorkerPool(2);
        var body = new Throwing();
        var e = Assert.Throws<InvalidOperationException>(() => pool.Run(10, ref body));
        Assert.Equal("iteration 5", e.Message);
        var ok = new RecordChunks { Owner = new int[10] };
        pool.Run(10, ref ok); // the pool still works afterwards
        Assert.All(ok.Owner, owner => Assert.True(owner > 0));
    }

    [Fact]
    public async Task ALoopOnADisposedPoolRunsInlineInsteadOfWaitingForGoneWorkers()
    {
        // CpuParallel.ThreadCount replaces its pool; a thread that fetched the old pool just before must not hang.
        var pool = new WorkerPool(2);
        pool.Dispose();
        var body = new RecordChunks { Owner = new int[10] };
        var run = Task.Run(() => pool.Run(10, ref body));
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.Equal([1, 1, 1, 1, 1, 2, 2, 2, 2, 2], body.Owner); // both chunks ran, on the caller, in chunk order
    }
}
