using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

// Placeholders while the Elementwise kernels are written (each moves to its own op file); this file is then deleted.
public sealed partial class GpuKernels
{
    public void Binary(BinaryOp kind, Tensor a, Tensor b, Tensor y) => throw Pending("Binary");

    public void Scale(Tensor x, double factor, Tensor y) => throw Pending("Scale");

    public void Accumulate(Tensor dst, Tensor src) => throw Pending("Accumulate");

    public void Activate(Activation act, double alpha, Tensor x, Tensor y) => throw Pending("Activate");

    public void ActivationBackward(Activation act, double alpha, Tensor x, Tensor y, Tensor dy, Tensor dx) => throw Pending("ActivationBackward");

    public void Sum(Tensor x, Shape keptShape, double scale, Tensor y) => throw Pending("Sum");

    public void BroadcastTo(Tensor x, Tensor y) => throw Pending("BroadcastTo");

    public void Dropout(Tensor x, double rate, ulong seed, ulong offset, Tensor y) => throw Pending("Dropout");

    public void ZeroPad(Tensor x, ZeroPadAttrs attrs, Tensor y) => throw Pending("ZeroPad");

    public void ZeroPadBackward(Tensor dy, ZeroPadAttrs attrs, Tensor dx) => throw Pending("ZeroPadBackward");

    public void Concat(Tensor[] xs, int axis, Tensor y) => throw Pending("Concat");

    public void Slice(Tensor x, int axis, ReadOnlySpan<int> starts, Tensor[] ys) => throw Pending("Slice");

    public void Upsample(Tensor x, UpsampleAttrs attrs, Tensor y) => throw Pending("Upsample");

    public void UpsampleBackward(Tensor dy, UpsampleAttrs attrs, Tensor dx) => throw Pending("UpsampleBackward");
}
