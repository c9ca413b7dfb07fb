using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Winograd minimal filtering F(m x m, 3 x 3): an m x m output tile of a stride-1 3x3 correlation from an
/// alpha x alpha input tile (alpha = m + 2) with alpha^2 multiplications per channel pair instead of 9 m^2:
/// <c>Y = A^T [(G g G^T) (.) (B^T d B)] A</c>. The matrices are built from the interpolation points (Toom-Cook), so
/// one code path serves every tile size: with finite points a_0 .. a_{alpha-2} and the point at infinity,
/// <list type="bullet">
/// <item>A^T [m x alpha]: column j = powers a_j^i (evaluation of the output polynomial); the infinity column picks
/// the leading coefficient (1 in the last row).</item>
/// <item>G [alpha x 3]: row j = powers a_j^k divided by prod_{l != j} (a_j - a_l) (the Lagrange denominators moved
/// here so B^T stays integral for integer points); the infinity row picks g's last tap.</item>
/// <item>B^T [alpha x alpha]: row j = the coefficients of prod_{l != j} (x - a_l); the infinity row those of
/// prod_l (x - a_l).</item>
/// </list>
/// (The 1-D correlation y = C_g^T d is the transpose of the linear convolution C_g x = interp((G g) (.) (eval x)),
/// which gives exactly these three.) The input and output transforms run on float vectors across channels: written
/// out for F(4,3) (<see cref="WinogradF4Transforms"/>, about 3x fewer loads), otherwise with only the nonzero
/// coefficients (<see cref="Transform2d{S, V}"/>); the weight transform (G g G^T) always the generic way, once per call.
/// </summary>
internal sealed unsafe class WinogradTile
{
    /// <summary>Filter size: only 3x3 kernels.</summary>
    public const int R = 3;

    /// <summary>F(2x2, 3x3): 16 products per 4 outputs (2.25x fewer than direct), points 0, 1, -1.</summary>
    public static readonly WinogradTile F2 = new(2, [0, 1, -1]);

    /// <summary>F(4x4, 3x3): 36 products per 16 outputs (4x fewer), points 0, 1, -1, 2, -2 (larger rounding error).</summary>
    public static readonly WinogradTile F4 = new(4, [0, 1, -1, 2, -2]);

    /// <summary>Output tile side m, input tile side alpha = m + 2.</summary>
    public readonly int M, Alpha;

    /// <summary>A^T [M, Alpha], G [Alpha, 3], B^T [Alpha, Alpha], exact in double (tests check the identity).</summary>
    public readonly double[,] OutputMatrix, FilterMatrix, InputMatrix;

    /// <summary>The nonzero entries of B^T, A^T and G, for the vector transforms.</summary>
    public readonly SparseMatrix Input, Output, Filter;

    private WinogradTile(int m, double[] points)
    {
        M = m;
        Alpha = m + R - 1;
        if (points.Length != Alpha - 1)
            throw new ArgumentException($"F({m},{R}) needs {Alpha - 1} finite points, got {points.Length}");
        OutputMatrix = new double[m, Alpha];
        FilterMatrix = new double[Alpha, R];
        InputMatrix = new double[Alpha, Alpha];
        for (int j = 0; j < points.Length; j++)
        {
            double a = points[j], denominator = 1;
            for (int i = 0; i < m; i++) OutputMatrix[i, j] = Math.Pow(a, i);
            for (int l = 0; l < points.Length; l++)
                if (l != j) denominator *= a - points[l];
            for (int k = 0; k < R; k++) FilterMatrix[j, k] = Math.Pow(a, k) / denominator;
            double[] others = ProductOfLinearFactors(points, skip: j);
            for (int p = 0; p < others.Length; p++) InputMatrix[j, p] = others[p];
        }
        OutputMatrix[m - 1, Alpha - 1] = 1;
        FilterMatrix[Alpha - 1, R - 1] = 1;
        double[] all = ProductOfLinearFactors(points, skip: -1);
        for (int p = 0; p < all.Length; p++) InputMatrix[Alpha - 1, p] = all[p];
        Input = new SparseMatrix(InputMatrix);
        Output = new SparseMatrix(OutputMatrix);
        Filter = new SparseMatrix(FilterMatrix);
    }

    /// <summary>Coefficients (constant term first) of prod (x - points[l]) over l != skip.</summary>
    private static double[] ProductOfLinearFactors(double[] points, int skip)
    {
        var poly = new double[points.Length + 1];
        poly[0] = 1;
        int degree = 0;
        for (int l = 0; l < points.Length; l++)
        {
            if (l == skip) continue;
            degree++;
            for (int p = degree; p >= 0; p--) poly[p] = (p > 0 ? poly[p - 1] : 0) - points[l] * poly[p];
        }
        return poly;
    }

    public override string ToString() => $"F({M}x{M},{R}x{R})";

    /// <summary>
    /// Y = T X T^T for T = <paramref name="t"/> [rows, cols], X [cols, cols] and Y [rows, rows] being grids of
    /// channel vectors: X element (k, l) is the vector at <c>x[k * cols + l] + xOffset</c>, Y element (i, j) goes to
    /// <c>y[i * rows + j] + yOffset</c>. <paramref name="temp"/> holds rows * cols vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transform2d<S, V>(in SparseMatrix t, float** x, nint xOffset, float** y, nint yOffset, float* temp)
        where S : struct, ISimd<V> where V : struct
    {
        int rows = t.Rows, cols = t.Cols, count = S.Count;
        // temp (i, l) = sum_k T[i, k] X[k, l]
        for (int i = 0; i < rows; i++)
        {
            int first = t.RowStart[i], last = t.RowStart[i + 1];
            for (int l = 0; l < cols; l++)
            {
                V sum = S.Multiply(S.Create(t.Coefficients[first]), S.Load(x[t.Columns[first] * cols + l] + xOffset));
                for (int e = first + 1; e < last; e++)
                    sum = S.FusedMultiplyAdd(S.Create(t.Coefficients[e]), S.Load(x[t.Columns[e] * cols + l] + xOffset), sum);
                S.Store(sum, temp + (i * cols + l) * count);
            }
        }
        // Y (i, j) = sum_l temp (i, l) T[j, l]
        for (int i = 0; i < rows; i++)
        {
            float* row = temp + i * cols * count;
            for (int j = 0; j < rows; j++)
            {
                int first = t.RowStart[j], last = t.RowStart[j + 1];
                V sum = S.Multiply(S.Create(t.Coefficients[first]), S.Load(row + t.Columns[first] * count));
                for (int e = first + 1; e < last; e++)
                    sum = S.FusedMultiplyAdd(S.Create(t.Coefficients[e]), S.Load(row + t.Columns[e] * count), sum);
                S.Store(sum, y[i * rows + j] + yOffset);
            }
        }
    }

    /// <summary>V = B^T d B of one channel vector per patch pixel (layout as in <see cref="Transform2d{S, V}"/>):
    /// the written-out <see cref="WinogradF4Transforms"/> for F(4,3), the generic sparse product otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void InputTransform<S, V>(float** x, nint xOffset, float** y, nint yOffset, float* temp)
        where S : struct, ISimd<V> where V : struct
    {
        if (M == 4) WinogradF4Transforms.Input<S, V>(x, xOffset, y, yOffset, temp);
        else Transform2d<S, V>(Input, x, xOffset, y, yOffset, temp);
    }

    /// <summary>Y = A^T M A of one channel vector per point, like <see cref="InputTransform{S, V}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OutputTransform<S, V>(float** x, nint xOffset, float** y, nint yOffset, float* temp)
        where S : struct, ISimd<V> where V : struct
    {
        if (M == 4) WinogradF4Transforms.Output<S, V>(x, xOffset, y, yOffset, temp);
        else Transform2d<S, V>(Output, x, xOffset, y, yOffset, temp);
    }

    /// <summary>Floats of the <c>temp</c> argument of <see cref="Transform2d{S, V}"/> for this tile's transforms.</summary>
    public int TempFloats => Alpha * Alpha * Vector512<float>.Count;
}

/// <summary>
/// The nonzero entries of a small dense matrix, row by row (compressed sparse rows), in native memory that lives as
/// long as the process (one per tile size). Every row has at least one nonzero (true of A^T, B^T and G).
/// </summary>
internal readonly unsafe struct SparseMatrix
{
    public readonly int Rows, Cols;
    public readonly int* RowStart, Columns;
    public readonly float* Coefficients;

    public SparseMatrix(double[,] dense)
    {
        Rows = dense.GetLength(0);
        Cols = dense.GetLength(1);
        int nonzeros = 0;
        foreach (double v in dense)
            if (v != 0) nonzeros++;
        RowStart = (int*)NativeMemory.Alloc((nuint)(Rows + 1), sizeof(int));
        Columns = (int*)NativeMemory.Alloc((nuint)nonzeros, sizeof(int));
        Coefficients = (float*)NativeMemory.Alloc((nuint)nonzeros, sizeof(float));
        int e = 0;
        for (int i = 0; i < Rows; i++)
        {
            RowStart[i] = e;
            for (int k = 0; k < Cols; k++)
            {
                if (dense[i, k] == 0) continue;
                Columns[e] = k;
                Coefficients[e++] = (float)dense[i, k];
            }
            if (e == RowStart[i]) throw new ArgumentException($"row {i} of a Winograd transform has no nonzero entry");
        }
        RowStart[Rows] = e;
    }
}
