using System.Runtime.Intrinsics;
using NeuralCore.Kernels.Cpu;

namespace NeuralCore.Kernels.Tests.Cpu;

/// <summary>
/// The row-group transposes at both widths, whatever the machine runs by default: a test run on an AVX-512 machine
/// would otherwise never execute the AVX2 instantiation (with its emulated two-source permute). Each width is
/// checked where the hardware has it (the cases list only accelerated widths), against the layout written out by
/// index arithmetic.
/// </summary>
public unsafe class RowGroupsTests
{
    /// <summary>(vector bits, classes) for each width this machine accelerates, so no case passes vacuously.</summary>
    public static TheoryData<int, int> Cases()
    {
        var data = new TheoryData<int, int>();
        foreach (int classes in new[] { 1, 2, 3, 4, 5, 7, 8 })
        {
            if (Vector512.IsHardwareAccelerated) data.Add(512, classes);
            if (Vector256.IsHardwareAccelerated) data.Add(256, classes);
        }
        if (data.Count == 0) data.Add(0, 3); // no SIMD width: the kernels must not take the group path
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GroupsTransposeAndExpand(int bits, int classes)
    {
        if (bits == 512) CheckGroup<Simd512, Vector512<float>>(classes);
        else if (bits == 256) CheckGroup<Simd256, Vector256<float>>(classes);
        else Assert.False(RowGroups.Supported(classes));
    }

    private static void CheckGroup<S, V>(int classes) where S : struct, ISimd<V> where V : unmanaged
    {
        int rows = S.Count;
        var groups = new RowGroups<S, V>(classes);
        float* x = stackalloc float[RowGroups.MaxRows * RowGroups.MaxClasses];
        for (int i = 0; i < rows * classes; i++) x[i] = 1000 + i; // element (row r, class k) holds 1000 + r*K + k
        V* cls = stackalloc V[RowGroups.MaxClasses];
        groups.LoadClasses(x, cls);
        float* lanes = stackalloc float[RowGroups.MaxRows];
        for (int k = 0; k < classes; k++)
        {
            S.Store(cls[k], lanes);
            for (int r = 0; r < rows; r++) Assert.Equal(1000 + r * classes + k, lanes[r]);
        }

        float* perRow = stackalloc float[RowGroups.MaxRows];
        for (int r = 0; r < rows; r++) perRow[r] = -r - 1;
        for (int v = 0; v < classes; v++)
        {
            S.Store(groups.Expand(S.Load(perRow), v), lanes);
            for (int lane = 0; lane < rows; lane++) Assert.Equal(-((v * rows + lane) / classes) - 1, lanes[lane]);
            S.Store(groups.ClassOf(v), lanes);
            for (int lane = 0; lane < rows; lane++) Assert.Equal((v * rows + lane) % classes, lanes[lane]);
        }
    }

    [Fact]
    public void Avx2TwoSourcePermuteReadsBothSources()
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            Assert.False(RowGroups.Supported(3)); // the permute is then never called
            return;
        }
        var lower = Vector256.Create(0f, 1, 2, 3, 4, 5, 6, 7);
        var upper = Vector256.Create(10f, 11, 12, 13, 14, 15, 16, 17);
        var index = Vector256.Create(15, 0, 8, 7, 9, 1, 14, 6).AsSingle();
        Assert.Equal(Vector256.Create(17f, 0, 10, 7, 11, 1, 16, 6), Simd256.Permute2(lower, index, upper));
    }
}
