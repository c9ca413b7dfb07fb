using System.Runtime.CompilerServices;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Static-partition parallel loops over a persistent <see cref="WorkerPool"/>: the calling thread and the workers
/// claim the chunks, the caller first. Chunk boundaries depend only on the iteration count and <see cref="ThreadCount"/>, so a
/// given thread count always partitions the same way (reproducible floating-point reductions).
/// </summary>
public static class CpuParallel
{
    /// <summary>Environment variable that overrides the thread count at start-up.</summary>
    public const string ThreadsVariable = "NEURALCORE_THREADS";

    private static WorkerPool _pool = new(ReadThreadCountSetting());

    /// <summary>Threads a parallel loop is split over (caller included). Set once at start-up; setting it replaces
    /// the pool, so do not change it while loops are running.</summary>
    public static int ThreadCount
    {
        get => _pool.ThreadCount;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(ThreadCount));
            if (value == _pool.ThreadCount) return;
            WorkerPool old = _pool;
            _pool = new WorkerPool(value);
            old.Dispose();
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> over [0, <paramref name="count"/>) split into at most ThreadCount contiguous
    /// chunks, chunk t = [t*count/T, (t+1)*count/T). Blocks until every chunk is done; rethrows the first exception.
    /// Mutations the body makes to its own fields on the calling thread are visible afterwards.
    /// </summary>
    public static void For<T>(int count, ref T body) where T : struct, IWorkItem
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _pool.Run(count, ref body);
    }

    /// <summary>Below this many floats touched, waking the pool costs more than splitting the loop saves.</summary>
    public const int ParallelFloats = 1 << 15;

    /// <summary><see cref="For{T}(int, ref T)"/> when the loop touches at least <see cref="ParallelFloats"/>
    /// floats (<paramref name="floats"/>), else the whole range on the caller. Either way each iteration does the
    /// same arithmetic, so the choice never changes a result.</summary>
    public static void For<T>(int count, long floats, ref T body) where T : struct, IWorkItem
    {
        if (floats < ParallelFloats) body.Execute(0, count, 0);
        else For(count, ref body);
    }

    /// <summary>Same partition as <see cref="For{T}(int, ref T)"/>: the range chunk <paramref name="chunk"/> of
    /// <paramref name="chunks"/> gets.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (int Start, int End) Chunk(int count, int chunk, int chunks) =>
        ((int)((long)count * chunk / chunks), (int)((long)count * (chunk + 1) / chunks));

    private static int ReadThreadCountSetting()
    {
        string? text = Environment.GetEnvironmentVariable(ThreadsVariable);
        if (string.IsNullOrWhiteSpace(text)) return Environment.ProcessorCount;
        if (!int.TryParse(text, out int threads) || threads < 1)
            throw new InvalidOperationException(
                $"{ThreadsVariable}='{text}': expected a positive integer thread count");
        return threads;
    }
}
