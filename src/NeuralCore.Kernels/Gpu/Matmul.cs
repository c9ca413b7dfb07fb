using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>matmul on <see cref="ImplicitGemm"/>'s tile kernel: one launch for every batch, the transposes read in place.</summary>
public sealed partial class GpuKernels
{
    public void Matmul(Tensor a, Tensor b, bool transposeA, bool transposeB, Tensor y)
    {
        if (y.ElementCount == 0) return;
        var (batch, m, k, n) = Ops.MatmulDims("matmul", a.Shape, b.Shape, transposeA, transposeB);
        var p = new GemmParams
        {
            Operands = GemmOperands.Matmul, M = m, N = n, K = k,
            TransposeA = transposeA ? 1 : 0, TransposeB = transposeB ? 1 : 0,
            // Stage each operand along its contiguous axis: A [M, K] and B^T [N, K] along k.
            AAlongK = transposeA ? 0 : 1, BAlongK = transposeB ? 1 : 0,
        };
        ImplicitGemm.Run(Device, p, batch, splitK: false, Device.View<float>(a), Device.View<float>(b), Device.View<float>(y));
    }
}
