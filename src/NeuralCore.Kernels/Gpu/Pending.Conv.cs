using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

// Placeholders while the Conv kernels are written (each moves to its own op file); this file is then deleted.
public sealed partial class GpuKernels
{
    public void Conv2d(ConvPass pass, Conv2dGeometry g, Tensor a, Tensor b, Tensor result) => throw Pending("Conv2d");

    public void Matmul(Tensor a, Tensor b, bool transposeA, bool transposeB, Tensor y) => throw Pending("Matmul");
}
