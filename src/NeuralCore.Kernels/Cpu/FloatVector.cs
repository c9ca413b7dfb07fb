using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// A float SIMD vector of one fixed width, so a kernel is written once, generic over the width, and instantiated for
/// <see cref="Float512"/> (AVX-512) and <see cref="Float256"/> (AVX2). The JIT specialises a generic method per struct
/// type argument and inlines these one-line members, so an instantiation compiles to the same instructions as code
/// written against Vector512 or Vector256 directly. (The BCL's ISimdVector is not public in .NET 10.) Callers pick
/// the width with <see cref="Vector512.IsHardwareAccelerated"/>, a JIT-time constant, so the choice is made once.
/// Comparisons return lane masks (all bits set where true) as float vectors.
/// </summary>
internal unsafe interface IFloatVector<TSelf> where TSelf : struct, IFloatVector<TSelf>
{
    static abstract int Count { get; }
    static abstract TSelf Zero { get; }
    static abstract TSelf One { get; }
    static abstract TSelf Create(float value);
    static abstract TSelf Load(float* source);
    void Store(float* destination);

    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator &(TSelf a, TSelf b);
    static abstract TSelf operator |(TSelf a, TSelf b);
    static abstract TSelf operator ~(TSelf a);

    /// <summary>a * b + c with one rounding.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, TSelf b, TSelf c);
    static abstract TSelf GreaterThan(TSelf a, TSelf b);
    static abstract TSelf LessThan(TSelf a, TSelf b);
    static abstract TSelf EqualTo(TSelf a, TSelf b);
    /// <summary>Lanes of <paramref name="a"/> where <paramref name="mask"/> is set, of <paramref name="b"/> elsewhere.</summary>
    static abstract TSelf Select(TSelf mask, TSelf a, TSelf b);
    /// <summary>a &amp; ~b.</summary>
    static abstract TSelf AndNot(TSelf a, TSelf b);
}

/// <summary>16 floats (AVX-512).</summary>
internal readonly unsafe struct Float512(Vector512<float> value) : IFloatVector<Float512>
{
    public readonly Vector512<float> Value = value;

    public static int Count => Vector512<float>.Count;
    public static Float512 Zero => default;
    public static Float512 One => new(Vector512<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float512 Create(float value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float512 Load(float* source) => new(Vector512.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* destination) => Value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float512 operator +(Float512 a, Float512 b) => new(a.Value + b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float512 operator -(Float512 a, Float512 b) => new(a.Value - b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float512 operator *(Float512 a, Float512 b) => new(a.Value * b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float512 operator &(Float512 a, Float512 b) => new(a.Value & b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float512 operator |(Float512 a, Float512 b) => new(a.Value | b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float512 operator ~(Float512 a) => new(~a.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float512 FusedMultiplyAdd(Float512 a, Float512 b, Float512 c) => new(Vector512.FusedMultiplyAdd(a.Value, b.Value, c.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float512 GreaterThan(Float512 a, Float512 b) => new(Vector512.GreaterThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float512 LessThan(Float512 a, Float512 b) => new(Vector512.LessThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float512 EqualTo(Float512 a, Float512 b) => new(Vector512.Equals(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float512 Select(Float512 mask, Float512 a, Float512 b) => new(Vector512.ConditionalSelect(mask.Value, a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float512 AndNot(Float512 a, Float512 b) => new(Vector512.AndNot(a.Value, b.Value));
}

/// <summary>8 floats (AVX2).</summary>
internal readonly unsafe struct Float256(Vector256<float> value) : IFloatVector<Float256>
{
    public readonly Vector256<float> Value = value;

    public static int Count => Vector256<float>.Count;
    public static Float256 Zero => default;
    public static Float256 One => new(Vector256<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float256 Create(float value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float256 Load(float* source) => new(Vector256.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* destination) => Value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float256 operator +(Float256 a, Float256 b) => new(a.Value + b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float256 operator -(Float256 a, Float256 b) => new(a.Value - b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float256 operator *(Float256 a, Float256 b) => new(a.Value * b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float256 operator &(Float256 a, Float256 b) => new(a.Value & b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float256 operator |(Float256 a, Float256 b) => new(a.Value | b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float256 operator ~(Float256 a) => new(~a.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float256 FusedMultiplyAdd(Float256 a, Float256 b, Float256 c) => new(Vector256.FusedMultiplyAdd(a.Value, b.Value, c.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float256 GreaterThan(Float256 a, Float256 b) => new(Vector256.GreaterThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float256 LessThan(Float256 a, Float256 b) => new(Vector256.LessThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float256 EqualTo(Float256 a, Float256 b) => new(Vector256.Equals(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float256 Select(Float256 mask, Float256 a, Float256 b) => new(Vector256.ConditionalSelect(mask.Value, a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Float256 AndNot(Float256 a, Float256 b) => new(Vector256.AndNot(a.Value, b.Value));
}
