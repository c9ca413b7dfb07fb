namespace PetSeg.Data;

/// <summary>
/// Yields batches of cached samples: seeded shuffling per epoch, optional drop-last, augmentation and
/// normalisation, prepared by a background thread (<see cref="DataLoaderOptions.PrefetchBatches"/> ahead). Batches
/// for a GPU (<see cref="DataLoaderOptions.Device"/>) are filled into page-locked memory and copied to the device by
/// that thread on a copy stream of its own, while the trainer computes on the previous batch.
/// Deterministic: the same cache, indices, options and epoch give the same batches bit for bit, whatever the timing.
/// </summary>
/// <example><code>
/// using var loader = new DataLoader(cache, cache.IndicesOf(DatasetSplit.Train), new DataLoaderOptions { BatchSize = 32, Seed = 42 });
/// foreach (var batch in loader.Epoch(epoch)) using (batch) { train(batch.Images, batch.Labels); }
/// </code></example>
public sealed class DataLoader : IDisposable
{
    private readonly SampleCache _cache;
    private readonly int[] _indices;
    private readonly List<BatchPrefetcher> _running = new();
    private bool _disposed;

    /// <param name="indices">Indices into <paramref name="cache"/> this loader serves (e.g. one split).</param>
    public DataLoader(SampleCache cache, IReadOnlyList<int> indices, DataLoaderOptions options)
    {
        options.Validate();
        if (indices.Count == 0) throw new ArgumentException($"data loader over {cache.Path}: no samples selected (is the split empty?)");
        foreach (int i in indices)
        {
            if ((uint)i >= (uint)cache.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"sample index {i} outside the {cache.Count}-sample cache {cache.Path}");
        }
        _cache = cache;
        _indices = indices.ToArray();
        Options = options;
        int full = _indices.Length / options.BatchSize, rest = _indices.Length % options.BatchSize;
        BatchCount = rest > 0 && !options.DropLast && rest >= options.SmallestBatch ? full + 1 : full;
        if (BatchCount == 0)
            throw new ArgumentException($"data loader over {cache.Path}: {_indices.Length} samples make no batch " +
                $"(batches of {options.BatchSize}{(options.DropLast ? "" : $", at least {options.SmallestBatch}")})");
    }

    public DataLoaderOptions Options { get; }

    public int SampleCount => _indices.Length;

    /// <summary>Batches per epoch.</summary>
    public int BatchCount { get; }

    /// <summary>The data-set indices of epoch <paramref name="epoch"/>, in the order they are served.</summary>
    public int[] EpochOrder(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "epoch must be non-negative");
        if (!Options.Shuffle) return (int[])_indices.Clone();
        var permutation = SeededPermutation.Create(_indices.Length, Options.Seed, SeededPermutation.EpochStream, (ulong)epoch);
        return Array.ConvertAll(permutation, p => _indices[p]);
    }

    /// <summary>
    /// The batches of one epoch. Each <see cref="Batch"/> is the caller's to dispose. Leaving the loop early (or
    /// disposing the loader) stops the producer thread and frees the batches it had prepared.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var order = EpochOrder(epoch);
        var plan = new List<int[]>(BatchCount);
        for (int b = 0; b < BatchCount; b++)
        {
            int start = b * Options.BatchSize;
            plan.Add(order.AsSpan(start, Math.Min(Options.BatchSize, order.Length - start)).ToArray());
        }
        return Options.PrefetchBatches == 0 ? Inline(epoch, plan) : Prefetched(epoch, plan);
    }

    private IEnumerable<Batch> Inline(int epoch, List<int[]> plan)
    {
        using var assembler = new BatchAssembler(_cache, Options);
        foreach (var indices in plan)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            yield return assembler.Assemble(epoch, indices);
        }
    }

    private IEnumerable<Batch> Prefetched(int epoch, List<int[]> plan)
    {
        var assembler = new BatchAssembler(_cache, Options);
        var prefetcher = new BatchPrefetcher(indices => assembler.Assemble(epoch, indices), plan, Options.PrefetchBatches,
            $"petseg-prefetch-epoch{epoch}");
        lock (_running) _running.Add(prefetcher);
        try
        {
            foreach (var batch in prefetcher.Consume()) yield return batch;
        }
        finally
        {
            lock (_running) _running.Remove(prefetcher);
            prefetcher.Dispose();
            // After the producer thread has stopped: its copy stream is no longer in use.
            assembler.Dispose();
        }
    }

    /// <summary>Stops every running producer thread; the cache stays open (the caller owns it).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        BatchPrefetcher[] running;
        lock (_running) running = _running.ToArray();
        foreach (var prefetcher in running) prefetcher.Dispose();
    }
}
