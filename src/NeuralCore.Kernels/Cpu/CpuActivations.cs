using System.Runtime.Intrinsics;
using NeuralCore.Kernels.Reference;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Fast float32 activations and their derivatives: SIMD (the derivative generic over <see cref="ISimd{V}"/>:
/// Vector512 where the hardware has it, Vector256 otherwise; scalar tails through the reference formula) and split
/// over the worker pool for large tensors.
/// </summary>
internal static unsafe class CpuActivations
{
    public static void Forward(Activation act, float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        fixed (float* px = x)
        fixed (float* py = y)
        {
            var work = new ForwardWork { Act = act, Alpha = alpha, X = px, Y = py };
            CpuElementwise.Run(ref work, x.Length);
        }
    }

    public static void Backward(Activation act, float alpha, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        fixed (float* px = x)
        fixed (float* py = y)
        fixed (float* pdy = dy)
        fixed (float* pdx = dx)
        {
            var work = new BackwardWork { Act = act, Alpha = alpha, X = px, Y = py, Dy = pdy, Dx = pdx };
            CpuElementwise.Run(ref work, x.Length);
        }
    }

    private struct ForwardWork : IWorkItem
    {
        public Activation Act;
        public float Alpha;
        public float* X, Y;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            var x = new ReadOnlySpan<float>(X + start, end - start);
            var y = new Span<float>(Y + start, end - start);
            switch (Act)
            {
                case Activation.Identity: x.CopyTo(y); break;
                case Activation.Relu: TensorPrimitives.Max(x, 0f, y); break;
                case Activation.Relu6: TensorPrimitives.Clamp(x, 0f, 6f, y); break;
                case Activation.LeakyRelu when Alpha is >= 0 and <= 1: // max(x, alpha*x) for slopes in [0, 1]
                    TensorPrimitives.Multiply(x, Alpha, y);
                    TensorPrimitives.Max(x, y, y);
                    break;
                case Activation.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
                case Activation.Tanh: TensorPrimitives.Tanh(x, y); break;
                default: ReferenceActivations.Forward(Act, Alpha, x, y); break;
            }
        }
    }

    private struct BackwardWork : IWorkItem
    {
        public Activation Act;
        public float Alpha;
        public float* X, Y, Dy, Dx;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            int i = Vector512.IsHardwareAccelerated
                ? Vectors<Simd512, Vector512<float>>(start, end)
                : Vectors<Simd256, Vector256<float>>(start, end);
            for (; i < end; i++) Dx[i] = Dy[i] * ReferenceActivations.Derivative(Act, X[i], Y[i], Alpha);
        }

        /// <summary>Whole vectors from <paramref name="start"/>; returns where the scalar tail begins.</summary>
        private readonly int Vectors<S, V>(int start, int end) where S : struct, ISimd<V> where V : struct
        {
            int i = start;
            for (; i + S.Count <= end; i += S.Count)
                S.Store(S.Multiply(Derivative<S, V>(S.Load(X + i), S.Load(Y + i)), S.Load(Dy + i)), Dx + i);
            return i;
        }

        private readonly V Derivative<S, V>(V x, V y) where S : struct, ISimd<V> where V : struct
        {
            V one = S.One, zero = S.Zero;
            return Act switch
            {
                Activation.Identity => one,
                Activation.Relu => S.Select(S.GreaterThan(x, zero), one, zero),
                Activation.Relu6 => S.Select(S.And(S.GreaterThan(x, zero), S.LessThan(x, S.Create(6f))), one, zero),
                Activation.LeakyRelu => S.Select(S.GreaterThan(x, zero), one, S.Create(Alpha)),
                Activation.Sigmoid => S.Multiply(y, S.Subtract(one, y)),
                _ => S.Subtract(one, S.Multiply(y, y)),
            };
        }
    }
}
