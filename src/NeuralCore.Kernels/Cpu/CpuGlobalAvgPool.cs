using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace NeuralCore.Kernels.Cpu;

/// <summary>Fast float32 global average pooling: per image, H*W channel rows summed with SIMD adds, then scaled.
/// Images run on the worker pool.</summary>
internal static unsafe class CpuGlobalAvgPool
{
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int images, int pixels, int channels)
    {
        fixed (float* px = x, py = y)
        {
            var work = new ImageWork { X = px, Y = py, Pixels = pixels, Channels = channels };
            CpuParallel.For(images, x.Length, ref work);
        }
    }

    private struct ImageWork : IWorkItem
    {
        public float* X, Y;
        public int Pixels, Channels;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            for (int n = start; n < end; n++)
            {
                var dst = new Span<float>(Y + (long)n * Channels, Channels);
                dst.Clear();
                float* image = X + (long)n * Pixels * Channels;
                for (int r = 0; r < Pixels; r++) TensorPrimitives.Add(dst, new ReadOnlySpan<float>(image + (long)r * Channels, Channels), dst);
                TensorPrimitives.Multiply(dst, 1f / Pixels, dst);
            }
        }
    }
}
