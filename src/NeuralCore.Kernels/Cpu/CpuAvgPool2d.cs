using NeuralCore.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace NeuralCore.Kernels.Cpu;

/// <summary>
/// Fast float32 average pooling over NHWC (padded cells not counted): SIMD across channels, output rows on the worker
/// pool; backward splits output rows when windows do not overlap vertically, whole images otherwise.
/// </summary>
internal static unsafe class CpuAvgPool2d
{
    public static void Forward(ReadOnlySpan<float> x, Shape xShape, Span<float> y, Shape yShape, Pool2dAttrs p)
    {
        fixed (float* px = x, py = y)
        {
            var work = new PoolWork { X = px, Y = py, Geometry = new PoolGeometry(xShape, yShape, p), RowsPerTask = 1 };
            CpuParallel.For(yShape[0] * yShape[1], x.Length + y.Length, ref work);
        }
    }

    public static void Backward(ReadOnlySpan<float> dy, Shape yShape, Span<float> dx, Shape xShape, Pool2dAttrs p)
    {
        dx.Clear();
        var geometry = new PoolGeometry(xShape, yShape, p);
        fixed (float* pdy = dy, pdx = dx)
        {
            var work = new PoolWork { X = pdx, Y = pdy, Geometry = geometry, RowsPerTask = geometry.RowsPerTask, Backward = true };
            CpuParallel.For(yShape[0] * yShape[1] / work.RowsPerTask, dx.Length + dy.Length, ref work);
        }
    }

    /// <summary>Forward: Y = window means of X. Backward: X is dx and Y is dy; each dy cell is shared evenly over its
    /// window. Task t covers output rows [t*RowsPerTask, (t+1)*RowsPerTask).</summary>
    private struct PoolWork : IWorkItem
    {
        public float* X, Y;
        public PoolGeometry Geometry;
        public int RowsPerTask;
        public bool Backward;

        public readonly void Execute(int start, int end, int threadIndex)
        {
            int outW = Geometry.OutW, channels = Geometry.Channels;
            for (int row = start * RowsPerTask; row < end * RowsPerTask; row++)
                for (int ow = 0; ow < outW; ow++)
                {
                    var cell = new Span<float>(Y + ((long)row * outW + ow) * channels, channels);
                    var (b, h0, h1, w0, w1) = Geometry.Window(row, ow);
                    float share = 1f / ((h1 - h0) * (w1 - w0));
                    if (!Backward) cell.Clear();
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++)
                        {
                            var input = new Span<float>(X + Geometry.CellOffset(b, ih, iw), channels);
                            if (Backward) TensorPrimitives.MultiplyAdd(cell, share, input, input);
                            else TensorPrimitives.Add(cell, input, cell);
                        }
                    if (!Backward) TensorPrimitives.Multiply(cell, share, cell);
                }
        }
    }
}
