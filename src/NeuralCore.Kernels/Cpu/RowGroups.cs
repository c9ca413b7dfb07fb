using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralCore.Kernels.Cpu;

/// <summary>Sizes shared by every width of <see cref="RowGroups{S, V}"/>, and whether the hardware has them.</summary>
internal static unsafe class RowGroups
{
    /// <summary>Rows of the widest group (AVX-512). Parallel chunks start on multiples of it, so every width's groups
    /// fall at the same rows whatever the partition.</summary>
    public const int MaxRows = 16;
    public const int MaxClasses = 8;
    public const int MaxPairs = MaxClasses / 2;

    /// <summary>Groups need AVX2's cross-lane permute at least; AVX-512 runs them 16 rows at a time, AVX2 8.</summary>
    public static bool Supported(int classes) => classes <= MaxClasses && Avx2.IsSupported;

    /// <summary>Copies the <paramref name="rows"/> (&lt; a group) rows of a ragged last group into a zeroed buffer
    /// of <paramref name="groupRows"/> rows.</summary>
    public static void PadRows(float* src, int rows, int classes, float* padded, int groupRows)
    {
        new Span<float>(padded, groupRows * classes).Clear();
        new ReadOnlySpan<float>(src, rows * classes).CopyTo(new Span<float>(padded, rows * classes));
    }
}

/// <summary>
/// Few-class rows (K &lt;= 8: the 3-class pets) vectorised across rows instead of along them, at the width of
/// <typeparamref name="S"/>. A group of R consecutive rows (R = lanes of a vector: 16 with AVX-512, 8 with AVX2) is
/// R·K contiguous floats, i.e. K whole vectors. <see cref="Transpose"/> turns them into K vectors "class k of rows
/// 0..R-1" (lane = row) for the per-row max / sum / dot, with two-source permutes (no gather instruction is exposed
/// for 512-bit vectors); <see cref="Expand"/> goes back, spreading a per-row value to the row's elements of
/// contiguous vector v. A ragged last group runs through a zero-padded copy (<see cref="RowGroups.PadRows"/>), so a
/// row's arithmetic never depends on where the parallel partition puts it. Integer tables (permute indices, masks)
/// are kept as raw bits in float vectors; class numbers and labels as exact small floats.
/// </summary>
internal unsafe struct RowGroups<S, V> where S : struct, ISimd<V> where V : unmanaged
{
    private const int Slots = RowGroups.MaxClasses * RowGroups.MaxPairs * RowGroups.MaxRows;

    private fixed int _pairIndex[Slots];
    private fixed int _pairMask[Slots];
    private fixed int _rowOf[RowGroups.MaxClasses * RowGroups.MaxRows];
    private fixed float _classOf[RowGroups.MaxClasses * RowGroups.MaxRows];

    public int Classes { get; private set; }

    /// <summary>Rows of a group: the vector's lanes.</summary>
    public static int Rows => S.Count;

    /// <summary>Permute tables for <paramref name="classes"/> classes; built once per parallel chunk (a few hundred integer stores).</summary>
    public RowGroups(int classes)
    {
        Classes = classes;
        int rows = Rows;
        for (int k = 0; k < classes; k++)
            for (int pair = 0; pair < (classes + 1) / 2; pair++)
                for (int row = 0; row < rows; row++)
                {
                    // Element row*K + k lies in the 2R-float window of vectors (2 pair, 2 pair + 1) when the window holds it.
                    int e = row * classes + k - 2 * rows * pair, slot = (k * RowGroups.MaxPairs + pair) * rows + row;
                    bool inside = e >= 0 && e < 2 * rows;
                    _pairIndex[slot] = inside ? e : 0;
                    _pairMask[slot] = inside ? -1 : 0;
                }
        for (int v = 0; v < classes; v++)
            for (int lane = 0; lane < rows; lane++)
            {
                int e = v * rows + lane;
                _rowOf[v * rows + lane] = e / classes;
                _classOf[v * rows + lane] = e % classes;
            }
    }

    /// <summary>cls[k] = class k of the group's rows, from the group's K contiguous vectors <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Transpose(V* v, V* cls)
    {
        int pairs = (Classes + 1) / 2, rows = Rows;
        fixed (int* index = _pairIndex, mask = _pairMask)
            for (int k = 0; k < Classes; k++)
            {
                V acc = S.Zero;
                for (int pair = 0; pair < pairs; pair++)
                {
                    int slot = (k * RowGroups.MaxPairs + pair) * rows;
                    var upper = v[Math.Min(2 * pair + 1, Classes - 1)];
                    var part = S.Permute2(v[2 * pair], S.Load((float*)(index + slot)), upper);
                    acc = S.Select(S.Load((float*)(mask + slot)), part, acc);
                }
                cls[k] = acc;
            }
    }

    /// <summary>Loads the group's K contiguous vectors and transposes them into <paramref name="cls"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void LoadClasses(float* group, V* cls)
    {
        V* v = stackalloc V[RowGroups.MaxClasses];
        for (int i = 0; i < Classes; i++) v[i] = S.Load(group + i * Rows);
        Transpose(v, cls);
    }

    /// <summary>Per-row values (lane = row) spread over the elements of the group's contiguous vector <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly V Expand(V perRow, int v)
    {
        fixed (int* p = _rowOf) return S.Permute(perRow, S.Load((float*)(p + v * Rows)));
    }

    /// <summary>The class index of each element of contiguous vector <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly V ClassOf(int v)
    {
        fixed (float* p = _classOf) return S.Load(p + v * Rows);
    }

    /// <summary>Lanes [0, rows) set: the real rows of a (possibly ragged) group.</summary>
    public static V ValidRows(int rows) => S.LessThan(S.Indices, S.Create(rows));
}
