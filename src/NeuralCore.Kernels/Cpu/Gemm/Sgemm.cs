namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Single-precision matrix multiply on the CPU, row-major: C = alpha * op(A) * op(B) + beta * C, where op(A) is
/// [m x k], op(B) is [k x n] and C is [m x n]. op(X) is X, or X transposed when the trans flag is set (then X is
/// stored [k x m] resp. [n x k]). Leading dimensions are row strides in elements. beta == 0 never reads C, so C may
/// hold garbage (NaN) then. Multi-threaded over <see cref="CpuParallel"/>; the result is bit-identical for any
/// thread count (the summation order depends only on the shape).
/// </summary>
public static unsafe class Gemm
{
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda,
        float* b, int ldb, float beta, float* c, int ldc) =>
        Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, default);

    /// <summary>Sgemm followed by a per-column bias and an activation, applied to each C tile right after its last
    /// depth block: C = act(alpha * op(A) * op(B) + beta * C + bias).</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda,
        float* b, int ldb, float beta, float* c, int ldc, in GemmEpilogue epilogue)
    {
        Validate(transA, transB, m, n, k, lda, ldb, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            ScaleC(m, n, beta, c, ldc);
            if (!epilogue.IsNone) epilogue.Apply(c, ldc, m, n, 0);
            return;
        }
        GemmDriver.Run(GemmBlocking.KernelFor(n), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue);
    }

    /// <summary>Span overload of <see cref="Sgemm(bool, bool, int, int, int, float, float*, int, float*, int, float, float*, int)"/>;
    /// checks that each span covers its matrix.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a,
        int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, lda, ldb, ldc);
        CheckLength("A", a.Length, transA ? k : m, transA ? m : k, lda);
        CheckLength("B", b.Length, transB ? n : k, transB ? k : n, ldb);
        CheckLength("C", c.Length, m, n, ldc);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
            Sgemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    /// <summary>Span overload with dense matrices (leading dimension = row length).</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a,
        ReadOnlySpan<float> b, float beta, Span<float> c) =>
        Sgemm(transA, transB, m, n, k, alpha, a, transA ? m : k, b, transB ? k : n, beta, c, n);

    private static void Validate(bool transA, bool transB, int m, int n, int k, int lda, int ldb, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"Sgemm: negative size m={m}, n={n}, k={k}");
        CheckLeadingDimension("lda", lda, transA ? m : k);
        CheckLeadingDimension("ldb", ldb, transB ? k : n);
        CheckLeadingDimension("ldc", ldc, n);
    }

    private static void CheckLeadingDimension(string name, int value, int rowLength)
    {
        if (value < Math.Max(1, rowLength))
            throw new ArgumentOutOfRangeException(name, $"Sgemm: {name}={value}, expected at least the row length {rowLength}");
    }

    private static void CheckLength(string matrix, int length, int rows, int cols, int ld)
    {
        long needed = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException(
                $"Sgemm: {matrix} is [{rows} x {cols}] with leading dimension {ld}, needs {needed} elements, span has {length}");
    }

    private static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f)
                for (int j = 0; j < n; j++) row[j] *= beta;
        }
    }
}
