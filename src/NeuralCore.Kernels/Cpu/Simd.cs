using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// The float SIMD operations of one vector width, so a kernel is written once, generic over the width
/// (<c>Kernel&lt;S, V&gt;() where S : struct, ISimd&lt;V&gt;</c>), and instantiated for <see cref="Simd512"/> (AVX-512,
/// V = Vector512&lt;float&gt;) and <see cref="Simd256"/> (AVX2, V = Vector256&lt;float&gt;). The JIT specialises a generic
/// method per struct type argument and inlines these one-line members, and the values stay plain Vector512/Vector256
/// (a wrapper struct around them cost register copies and unfolded loads in the FMA loops), so an instantiation
/// compiles to the instructions of code written against the vector type directly. The BCL's ISimdVector is not
/// public in .NET 10. Callers pick the width with <see cref="Vector512.IsHardwareAccelerated"/>, a JIT-time constant,
/// so the choice is made once. Comparisons return lane masks (all bits set where true).
/// </summary>
internal unsafe interface ISimd<V> where V : struct
{
    static abstract int Count { get; }
    static abstract V Zero { get; }
    static abstract V One { get; }
    static abstract V Create(float value);
    static abstract V Load(float* source);
    static abstract void Store(V value, float* destination);

    static abstract V Add(V a, V b);
    static abstract V Subtract(V a, V b);
    static abstract V Multiply(V a, V b);
    /// <summary>a * b + c with one rounding.</summary>
    static abstract V FusedMultiplyAdd(V a, V b, V c);

    static abstract V And(V a, V b);
    static abstract V Or(V a, V b);
    static abstract V Not(V a);
    /// <summary>a &amp; ~b.</summary>
    static abstract V AndNot(V a, V b);

    static abstract V GreaterThan(V a, V b);
    static abstract V LessThan(V a, V b);
    static abstract V EqualTo(V a, V b);
    /// <summary>Lanes of <paramref name="a"/> where <paramref name="mask"/> is set, of <paramref name="b"/> elsewhere.</summary>
    static abstract V Select(V mask, V a, V b);

    /// <summary>Lane-wise maximum and minimum with Math.Max/Min's rules (NaN wins, +0 above -0), so a vector loop
    /// rounds and compares exactly as the scalar float code it replaces.</summary>
    static abstract V Max(V a, V b);
    static abstract V Min(V a, V b);
    static abstract V Divide(V a, V b);
    static abstract V Exp(V a);
    static abstract V Log(V a);

    /// <summary>0, 1, 2, ... Count - 1.</summary>
    static abstract V Indices { get; }
    /// <summary>Count ints, converted to float (exact below 2^24).</summary>
    static abstract V LoadInts(int* source);
    /// <summary>Truncates to int and stores Count ints.</summary>
    static abstract void StoreInts(V value, int* destination);

    /// <summary>Lane i = source[index[i]]; <paramref name="index"/> holds int lane numbers as raw bits.</summary>
    static abstract V Permute(V source, V index);
    /// <summary>Lane i = (lower ++ upper)[index[i]], index in [0, 2*Count) as raw int bits.</summary>
    static abstract V Permute2(V lower, V index, V upper);

    /// <summary>acc[0 .. Count/2) += widened lower half + widened upper half of <paramref name="value"/>, in double.</summary>
    static abstract void AddWidened(V value, double* acc);
    /// <summary>Sum of the Count/2 doubles at <paramref name="acc"/>.</summary>
    static abstract double SumWidened(double* acc);

    /// <summary>The largest lane (a NaN lane may or may not win; callers check).</summary>
    static abstract float MaxAcross(V a);
    /// <summary>The sum of the lanes, in a fixed order.</summary>
    static abstract float Sum(V a);
    /// <summary>Bit i set where lane i of a equals lane i of b.</summary>
    static abstract ulong EqualBits(V a, V b);
}

/// <summary>16 floats (AVX-512).</summary>
internal readonly unsafe struct Simd512 : ISimd<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    public static Vector512<float> One => Vector512<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Create(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* source) => Vector512.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> value, float* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> FusedMultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Or(Vector512<float> a, Vector512<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Not(Vector512<float> a) => ~a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> AndNot(Vector512<float> a, Vector512<float> b) => Vector512.AndNot(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> EqualTo(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Select(Vector512<float> mask, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Exp(Vector512<float> a) => Vector512.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Log(Vector512<float> a) => Vector512.Log(a);

    public static Vector512<float> Indices => Vector512<float>.Indices;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LoadInts(int* source) => Vector512.ConvertToSingle(Vector512.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreInts(Vector512<float> value, int* destination) => Vector512.ConvertToInt32(value).Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Permute(Vector512<float> source, Vector512<float> index) => Avx512F.PermuteVar16x32(source, index.AsInt32());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Permute2(Vector512<float> lower, Vector512<float> index, Vector512<float> upper) =>
        Avx512F.PermuteVar16x32x2(lower, index.AsInt32(), upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddWidened(Vector512<float> value, double* acc) =>
        (Vector512.Load(acc) + (Vector512.WidenLower(value) + Vector512.WidenUpper(value))).Store(acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumWidened(double* acc) => Vector512.Sum(Vector512.Load(acc));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> a) => Vector512.Sum(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector512<float> a) => Simd256.MaxAcross(Vector256.Max(a.GetLower(), a.GetUpper()));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong EqualBits(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b).ExtractMostSignificantBits();
}

/// <summary>8 floats (AVX2).</summary>
internal readonly unsafe struct Simd256 : ISimd<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    public static Vector256<float> One => Vector256<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Create(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* source) => Vector256.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> value, float* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> FusedMultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Or(Vector256<float> a, Vector256<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Not(Vector256<float> a) => ~a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> AndNot(Vector256<float> a, Vector256<float> b) => Vector256.AndNot(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> EqualTo(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Select(Vector256<float> mask, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Exp(Vector256<float> a) => Vector256.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Log(Vector256<float> a) => Vector256.Log(a);

    public static Vector256<float> Indices => Vector256<float>.Indices;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LoadInts(int* source) => Vector256.ConvertToSingle(Vector256.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreInts(Vector256<float> value, int* destination) => Vector256.ConvertToInt32(value).Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Permute(Vector256<float> source, Vector256<float> index) => Avx2.PermuteVar8x32(source, index.AsInt32());

    /// <summary>AVX2 has no two-source permute: permute both sources (vpermps reads the low 3 index bits) and
    /// take the upper one's lane where the index is 8 or more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Permute2(Vector256<float> lower, Vector256<float> index, Vector256<float> upper)
    {
        var lane = index.AsInt32();
        var fromUpper = Vector256.GreaterThan(lane, Vector256.Create(Count - 1)).AsSingle();
        return Vector256.ConditionalSelect(fromUpper, Avx2.PermuteVar8x32(upper, lane), Avx2.PermuteVar8x32(lower, lane));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddWidened(Vector256<float> value, double* acc) =>
        (Vector256.Load(acc) + (Vector256.WidenLower(value) + Vector256.WidenUpper(value))).Store(acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumWidened(double* acc) => Vector256.Sum(Vector256.Load(acc));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> a) => Vector256.Sum(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector256<float> a)
    {
        var quarter = Vector128.Max(a.GetLower(), a.GetUpper());
        return MathF.Max(MathF.Max(quarter[0], quarter[1]), MathF.Max(quarter[2], quarter[3]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong EqualBits(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b).ExtractMostSignificantBits();
}
