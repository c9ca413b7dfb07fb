namespace NeuralCore.Layers.Import.Torch;

/// <summary>
/// PyTorch weight layouts to ours (Keras'), converted once at import. Each method checks the rank (and the
/// depthwise in-channel of 1), names the tensor in its error, keeps the name and dtype, and returns C-order data.
/// <list type="bullet">
/// <item>Conv2d: PyTorch [O, I/groups, KH, KW] to our <see cref="Conv2d"/> kernel [KH, KW, I/groups, O] (OIHW to HWIO).</item>
/// <item>Depthwise (groups = C): PyTorch [C*mult, 1, KH, KW] to our <see cref="DepthwiseConv2d"/> kernel
/// [KH, KW, 1, C*mult]. Output channel c*mult + m reads input channel c in both.</item>
/// <item>ConvTranspose2d: PyTorch [Cin, Cout, KH, KW] to our <see cref="ConvTranspose2d"/> kernel [KH, KW, Cout, Cin];
/// neither flips the kernel.</item>
/// <item>Linear: PyTorch [out, in] to Keras Dense [in, out].</item>
/// </list>
/// Biases and BatchNorm vectors need no conversion. The Mask R-CNN import uses these for torchvision weights.
/// </summary>
public static class TorchLayouts
{
    /// <summary>[O, I/groups, KH, KW] -> [KH, KW, I/groups, O].</summary>
    public static RawTensor ConvWeight(RawTensor weight) => Permute(CheckRank(weight, 4, "conv [O, I, KH, KW]"), 2, 3, 1, 0);

    /// <summary>[C*mult, 1, KH, KW] -> [KH, KW, 1, C*mult].</summary>
    public static RawTensor DepthwiseWeight(RawTensor weight)
    {
        CheckRank(weight, 4, "depthwise conv [C*mult, 1, KH, KW]");
        if (weight.Shape[1] != 1)
            throw new ArgumentException($"tensor '{weight.Name}': depthwise conv weight {weight.ShapeText} has {weight.Shape[1]} input channels per group, expected [C*mult, 1, KH, KW]");
        return Permute(weight, 2, 3, 1, 0);
    }

    /// <summary>[Cin, Cout, KH, KW] -> [KH, KW, Cout, Cin].</summary>
    public static RawTensor ConvTransposeWeight(RawTensor weight) =>
        Permute(CheckRank(weight, 4, "transposed conv [Cin, Cout, KH, KW]"), 2, 3, 1, 0);

    /// <summary>[out, in] -> [in, out].</summary>
    public static RawTensor LinearWeight(RawTensor weight) => Permute(CheckRank(weight, 2, "linear [out, in]"), 1, 0);

    /// <summary>
    /// numpy's <c>transpose(axes)</c>: result dimension d is source dimension <paramref name="axes"/>[d].
    /// </summary>
    public static RawTensor Permute(RawTensor tensor, params int[] axes)
    {
        var rank = tensor.Shape.Length;
        if (axes.Length != rank || axes.Order().Where((axis, i) => axis != i).Any())
            throw new ArgumentException($"tensor '{tensor.Name}': axes ({string.Join(", ", axes)}) are not a permutation of its {rank} dimensions");
        var size = tensor.DType.SizeOf();
        var sourceStrides = new long[rank];
        for (long d = rank - 1, stride = 1; d >= 0; stride *= tensor.Shape[d], d--) sourceStrides[d] = stride;
        var shape = axes.Select(a => tensor.Shape[a]).ToArray();
        var strides = axes.Select(a => sourceStrides[a]).ToArray();

        var result = new byte[tensor.Data.Length];
        StridedCopy.Gather(tensor.Data, 0, shape, strides, size, result);
        return new RawTensor(tensor.Name, tensor.DType, shape, result);
    }

    private static RawTensor CheckRank(RawTensor weight, int rank, string expected) => weight.Shape.Length == rank ? weight
        : throw new ArgumentException($"tensor '{weight.Name}': shape {weight.ShapeText} is not a {expected} weight");
}
