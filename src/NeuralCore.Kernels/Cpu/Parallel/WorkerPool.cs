using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// A fixed set of background threads that run one static-partition loop at a time. The partition is fixed (chunk
/// boundaries depend only on the count and the thread count), but who runs a chunk is not: the caller and the
/// workers claim chunks from a shared counter, so when a worker is asleep or descheduled (a busy VM) the caller
/// runs its chunk instead of waiting for it to wake up. Each chunk runs exactly once, with its index as the scratch
/// slot, so results do not depend on which thread ran what. Idle workers spin for <see cref="SpinMicroseconds"/>
/// before blocking, so back-to-back small ops do not pay a kernel wake-up (~50 us) each. A loop started while
/// another is running (from a second thread, or nested inside a loop body) runs all its chunks on the caller.
/// </summary>
public sealed unsafe class WorkerPool : IDisposable
{
    /// <summary>How long an idle worker polls for the next loop before it blocks.</summary>
    public const int SpinMicroseconds = 200;

    private readonly Thread[] _workers;
    private readonly object _sleepLock = new();
    private readonly long _spinTicks = Math.Max(1, Stopwatch.Frequency * SpinMicroseconds / 1_000_000);

    // The current loop. Written by the dispatching thread before _generation is bumped, read by workers after.
    private delegate*<void*, int, int, int, void> _invoke;
    private void* _state;
    private int _count;
    private int _done;
    private Exception? _error;

    // The claim word: loop sequence (high 32 bits), chunk count (bits 16-31) and the next unclaimed chunk (bits 0-15).
    // A thread owns chunk c of loop s once its compare-exchange moved the word from (s, n, c) to (s, n, c + 1);
    // carrying the sequence means a worker that wakes late can never claim a chunk of a loop that has already ended.
    private long _claim;
    private int _sequence;

    private long _generation;
    private int _sleepers;
    private int _busy;
    private volatile bool _disposed;

    public WorkerPool(int threadCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threadCount, 0xFFFF); // the claim word's chunk fields are 16 bits
        ThreadCount = threadCount;
        _workers = new Thread[threadCount - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"NeuralCore worker {i + 1}" };
            _workers[i].Start();
        }
    }

    /// <summary>Threads a loop is split over, the caller included.</summary>
    public int ThreadCount { get; }

    /// <summary>Runs <paramref name="body"/> over [0, count) in min(ThreadCount, count) chunks; see
    /// <see cref="CpuParallel.For{T}(int, ref T)"/>.</summary>
    public void Run<T>(int count, ref T body) where T : struct, IWorkItem
    {
        if (count <= 0) return;
        int chunks = Math.Min(ThreadCount, count);
        if (chunks == 1)
        {
            body.Execute(0, count, 0);
            return;
        }
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            RunChunksInline(count, chunks, ref body);
            return;
        }
        // The copy lives on this stack frame, which cannot move, so workers may use a raw pointer to it; copying it
        // back at the end keeps it (and the objects it references) alive until every worker is done.
        T local = body;
        try
        {
            _invoke = &InvokeChunk<T>;
            _state = Unsafe.AsPointer(ref local);
            _count = count;
            _error = null;
            Volatile.Write(ref _done, 0);
            Volatile.Write(ref _claim, (long)++_sequence << 32 | (long)chunks << 16);
            Interlocked.Increment(ref _generation);
            if (Volatile.Read(ref _sleepers) > 0)
                lock (_sleepLock) Monitor.PulseAll(_sleepLock);

            RunClaimedChunks();
            WaitForChunks(chunks);
            body = local;
            if (_error != null) ExceptionDispatchInfo.Capture(_error).Throw();
        }
        finally
        {
            _state = null;
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>
    /// Waits for a loop in flight to finish, then stops the workers. The pool stays marked busy for good, so a
    /// caller still holding it (a thread that read <see cref="CpuParallel"/>'s pool just before it was replaced)
    /// runs its loop inline instead of waiting on workers that are gone.
    /// </summary>
    public void Dispose()
    {
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _busy, 1, 0) != 0) spin.SpinOnce(sleep1Threshold: -1);
        if (_disposed) return;
        _disposed = true;
        Interlocked.Increment(ref _generation);
        lock (_sleepLock) Monitor.PulseAll(_sleepLock);
    }

    private static void RunChunksInline<T>(int count, int chunks, ref T body) where T : struct, IWorkItem
    {
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            (int start, int end) = CpuParallel.Chunk(count, chunk, chunks);
            body.Execute(start, end, chunk);
        }
    }

    private static void InvokeChunk<T>(void* state, int count, int chunk, int chunks) where T : struct, IWorkItem
    {
        (int start, int end) = CpuParallel.Chunk(count, chunk, chunks);
        Unsafe.AsRef<T>(state).Execute(start, end, chunk);
    }

    /// <summary>Claims and runs chunks of the current loop until none is left; records the first exception.</summary>
    private void RunClaimedChunks()
    {
        while (true)
        {
            long word = Volatile.Read(ref _claim);
            int next = (int)(word & 0xFFFF), chunks = (int)((word >> 16) & 0xFFFF);
            if (next >= chunks) return;
            if (Interlocked.CompareExchange(ref _claim, word + 1, word) != word) continue;
            // Chunk `next` is ours, so the loop cannot end before we report it done: its fields are still valid.
            try
            {
                _invoke(_state, _count, next, chunks);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
            Interlocked.Increment(ref _done);
        }
    }

    private void WaitForChunks(int chunks)
    {
        // Chunks still running are on workers that are awake, so yielding (not sleeping) is enough here; the yield
        // matters when the VM gives this process fewer cores than threads.
        var spin = new SpinWait();
        while (Volatile.Read(ref _done) != chunks) spin.SpinOnce(sleep1Threshold: -1);
    }

    private void WorkerLoop()
    {
        long seen = 0;
        while (true)
        {
            seen = WaitForNextLoop(seen);
            if (_disposed) return;
            RunClaimedChunks();
        }
    }

    private long WaitForNextLoop(long seen)
    {
        long deadline = Stopwatch.GetTimestamp() + _spinTicks;
        int polls = 0;
        while (true)
        {
            long generation = Volatile.Read(ref _generation);
            if (generation != seen) return generation;
            Thread.SpinWait(8);
            if ((++polls & 63) == 0 && Stopwatch.GetTimestamp() > deadline) break;
        }
        lock (_sleepLock)
        {
            // The increment is a full fence: either the dispatcher sees a sleeper and pulses (after we Wait and
            // release the lock), or we see its new generation here.
            Interlocked.Increment(ref _sleepers);
            long generation;
            while ((generation = Volatile.Read(ref _generation)) == seen) Monitor.Wait(_sleepLock);
            Interlocked.Decrement(ref _sleepers);
            return generation;
        }
    }
}
