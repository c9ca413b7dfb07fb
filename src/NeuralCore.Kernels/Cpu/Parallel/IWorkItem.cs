namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Body of a <see cref="CpuParallel.For{T}(int, ref T)"/> loop. A struct implementing it is passed by reference,
/// so a parallel loop allocates nothing: the state lives in the struct's fields.
/// </summary>
public interface IWorkItem
{
    /// <summary>Runs iterations <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive).</summary>
    /// <param name="threadIndex">The chunk's index, 0..ThreadCount-1. Each index runs exactly once per loop, on
    /// whichever thread claimed it, so it picks a scratch buffer no other chunk of the loop touches.</param>
    void Execute(int start, int end, int threadIndex);
}
