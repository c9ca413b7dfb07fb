using System.Runtime.CompilerServices;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// The input and output transforms of <see cref="WinogradTile.F4"/> (points 0, 1, -1, 2, -2, infinity) written out
/// with their coefficients, on channel vectors: the same products as <see cref="WinogradTile.Transform2d{S, V}"/>
/// with <see cref="WinogradTile.Input"/> / <see cref="WinogradTile.Output"/>, but with the shared sums of the
/// symmetric point pairs (+-1, +-2) formed once, every row held in registers and no coefficient table, pointer-to-
/// coefficient lookups or multiplications by 1. Each 2-D transform is the 1-D one over the columns (into a 6 x 6 or
/// 4 x 6 temp grid that stays in L1) and then over the rows.
/// <code>
/// B^T = [4  0 -5  0 1 0]      A^T = [1 1  1 1  1 0]
///       [0 -4 -4  1 1 0]            [0 1 -1 2 -2 0]
///       [0  4 -4 -1 1 0]            [0 1  1 4  4 0]
///       [0 -2 -1  2 1 0]            [0 1 -1 8 -8 1]
///       [0  2 -1 -2 1 0]
///       [0  4  0 -5 0 1]
/// </code>
/// </summary>
internal static unsafe class WinogradF4Transforms
{
    private const int Alpha = 6, M = 4;

    /// <summary>Y = B^T X B: X element (k, l) is the vector at <c>x[k * 6 + l] + xOffset</c>, Y element (i, j) goes to
    /// <c>y[i * 6 + j] + yOffset</c>; <paramref name="temp"/> holds 36 vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Input<S, V>(float** x, nint xOffset, float** y, nint yOffset, float* temp)
        where S : struct, ISimd<V> where V : struct
    {
        int count = S.Count;
        for (int l = 0; l < Alpha; l++)
            StoreInputLine<S, V>(S.Load(x[l] + xOffset), S.Load(x[Alpha + l] + xOffset), S.Load(x[2 * Alpha + l] + xOffset),
                S.Load(x[3 * Alpha + l] + xOffset), S.Load(x[4 * Alpha + l] + xOffset), S.Load(x[5 * Alpha + l] + xOffset),
                temp + l * count, Alpha * count);
        for (int i = 0; i < Alpha; i++)
        {
            float* row = temp + i * Alpha * count;
            float** target = y + i * Alpha;
            V t0 = S.Load(row), t1 = S.Load(row + count), t2 = S.Load(row + 2 * count);
            V t3 = S.Load(row + 3 * count), t4 = S.Load(row + 4 * count), t5 = S.Load(row + 5 * count);
            InputLine<S, V>(t0, t1, t2, t3, t4, t5, out V u0, out V u1, out V u2, out V u3, out V u4, out V u5);
            S.Store(u0, target[0] + yOffset);
            S.Store(u1, target[1] + yOffset);
            S.Store(u2, target[2] + yOffset);
            S.Store(u3, target[3] + yOffset);
            S.Store(u4, target[4] + yOffset);
            S.Store(u5, target[5] + yOffset);
        }
    }

    /// <summary>Y = A^T X A: X element (k, l) is the vector at <c>x[k * 6 + l] + xOffset</c>, Y element (i, j) goes to
    /// <c>y[i * 4 + j] + yOffset</c>; <paramref name="temp"/> holds 24 vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output<S, V>(float** x, nint xOffset, float** y, nint yOffset, float* temp)
        where S : struct, ISimd<V> where V : struct
    {
        int count = S.Count;
        for (int l = 0; l < Alpha; l++)
        {
            OutputLine<S, V>(S.Load(x[l] + xOffset), S.Load(x[Alpha + l] + xOffset), S.Load(x[2 * Alpha + l] + xOffset),
                S.Load(x[3 * Alpha + l] + xOffset), S.Load(x[4 * Alpha + l] + xOffset), S.Load(x[5 * Alpha + l] + xOffset),
                out V o0, out V o1, out V o2, out V o3);
            float* column = temp + l * count;
            S.Store(o0, column);
            S.Store(o1, column + Alpha * count);
            S.Store(o2, column + 2 * Alpha * count);
            S.Store(o3, column + 3 * Alpha * count);
        }
        for (int i = 0; i < M; i++)
        {
            float* row = temp + i * Alpha * count;
            float** target = y + i * M;
            OutputLine<S, V>(S.Load(row), S.Load(row + count), S.Load(row + 2 * count), S.Load(row + 3 * count),
                S.Load(row + 4 * count), S.Load(row + 5 * count), out V o0, out V o1, out V o2, out V o3);
            S.Store(o0, target[0] + yOffset);
            S.Store(o1, target[1] + yOffset);
            S.Store(o2, target[2] + yOffset);
            S.Store(o3, target[3] + yOffset);
        }
    }

    /// <summary>The column pass of <see cref="Input{S, V}"/>: B^T d stored <paramref name="stride"/> floats apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreInputLine<S, V>(V d0, V d1, V d2, V d3, V d4, V d5, float* target, int stride)
        where S : struct, ISimd<V> where V : struct
    {
        InputLine<S, V>(d0, d1, d2, d3, d4, d5, out V t0, out V t1, out V t2, out V t3, out V t4, out V t5);
        S.Store(t0, target);
        S.Store(t1, target + stride);
        S.Store(t2, target + 2 * stride);
        S.Store(t3, target + 3 * stride);
        S.Store(t4, target + 4 * stride);
        S.Store(t5, target + 5 * stride);
    }

    /// <summary>t = B^T d for one line of six vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputLine<S, V>(V d0, V d1, V d2, V d3, V d4, V d5,
        out V t0, out V t1, out V t2, out V t3, out V t4, out V t5)
        where S : struct, ISimd<V> where V : struct
    {
        V four = S.Create(4f), minusFive = S.Create(-5f), two = S.Create(2f);
        // Rows 1/2 share d1 +- d2 and d4 +- d3; rows 3/4 share d3 - d1 and d4 - d2.
        V sum12 = S.Add(d1, d2), diff12 = S.Subtract(d1, d2);
        V sum34 = S.Add(d3, d4), diff43 = S.Subtract(d4, d3);
        V diff31 = S.Subtract(d3, d1), diff42 = S.Subtract(d4, d2);
        t0 = S.FusedMultiplyAdd(four, d0, S.FusedMultiplyAdd(minusFive, d2, d4));
        t1 = S.FusedMultiplyAdd(S.Create(-4f), sum12, sum34);
        t2 = S.FusedMultiplyAdd(four, diff12, diff43);
        t3 = S.FusedMultiplyAdd(two, diff31, diff42);
        t4 = S.FusedMultiplyAdd(S.Create(-2f), diff31, diff42);
        t5 = S.FusedMultiplyAdd(four, d1, S.FusedMultiplyAdd(minusFive, d3, d5));
    }

    /// <summary>o = A^T m for one line of six vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputLine<S, V>(V m0, V m1, V m2, V m3, V m4, V m5, out V o0, out V o1, out V o2, out V o3)
        where S : struct, ISimd<V> where V : struct
    {
        V sum12 = S.Add(m1, m2), diff12 = S.Subtract(m1, m2);
        V sum34 = S.Add(m3, m4), diff34 = S.Subtract(m3, m4);
        o0 = S.Add(S.Add(m0, sum12), sum34);
        o1 = S.FusedMultiplyAdd(S.Create(2f), diff34, diff12);
        o2 = S.FusedMultiplyAdd(S.Create(4f), sum34, sum12);
        o3 = S.Add(S.FusedMultiplyAdd(S.Create(8f), diff34, diff12), m5);
    }
}
