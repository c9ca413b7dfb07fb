using NeuralCore.Tensors;

namespace NeuralCore.Layers.Export.Onnx;

/// <summary>
/// Our Keras kernel layouts to ONNX's. Both convolution kinds need the same permutation: a kernel [KH, KW, A, B]
/// becomes [B, A, KH, KW]. For Conv2D/DepthwiseConv2D (A = Cin/groups, B = Cout) that is Conv's OIHW; for
/// Conv2DTranspose (A = Cout, B = Cin) it is ConvTranspose's [Cin, Cout, KH, KW]. Neither engine flips the kernel.
/// </summary>
internal static class OnnxKernelLayout
{
    public static (long[] Dims, float[] Data) ToOnnx(Tensor kernel)
    {
        if (kernel.Rank != 4) throw new ArgumentException($"kernel {kernel.Describe()} is not [KH, KW, A, B]");
        int kh = kernel.Shape[0], kw = kernel.Shape[1], a = kernel.Shape[2], b = kernel.Shape[3];
        var src = kernel.ToArray<float>();
        var dst = new float[src.Length];
        for (int h = 0; h < kh; h++)
            for (int w = 0; w < kw; w++)
                for (int i = 0; i < a; i++)
                    for (int o = 0; o < b; o++)
                        dst[((o * a + i) * kh + h) * kw + w] = src[((h * kw + w) * a + i) * b + o];
        return ([b, a, kh, kw], dst);
    }
}
