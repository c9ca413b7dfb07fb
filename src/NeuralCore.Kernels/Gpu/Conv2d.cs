using ILGPU;
using ILGPU.Runtime;

using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Gpu;

/// <summary>
/// conv2d's three passes (and so conv_transpose2d's, which runs them with the roles swapped). Dense convolutions
/// (groups 1) are implicit GEMMs on <see cref="ImplicitGemm"/>'s tile kernel: forward M = N*OH*OW output pixels x
/// Cout, K = KH*KW*Cin gathered from the NHWC input with padding; input gradient M = N*H*W input pixels x Cin,
/// K = KH*KW*Cout over the output pixels that read each one; weight gradient dW^T = im2col^T x dy, M = KH*KW*Cin x
/// Cout, K = the N*OH*OW pixels, split into a fixed number of chunks summed in order. Grouped and depthwise
/// convolutions run <see cref="GroupedConvKernel"/>: one thread per result element, threads along the channel axis
/// (coalesced in NHWC and HWIO), the weight gradient's pixel sum split the same deterministic way.
/// </summary>
public sealed partial class GpuKernels
{
    public void Conv2d(ConvPass pass, Conv2dGeometry g, Tensor a, Tensor b, Tensor result)
    {
        if (result.ElementCount == 0) return;
        var dims = ConvDims.Of(g);
        ArrayView<float> av = Device.View<float>(a), bv = Device.View<float>(b), rv = Device.View<float>(result);
        int pixels = g.Batch * g.OutH * g.OutW;
        if (g.Groups == 1)
        {
            int inPixels = g.Batch * g.InH * g.InW, taps = g.KernelH * g.KernelW;
            var p = pass switch
            {
                ConvPass.Forward => new GemmParams { Operands = GemmOperands.ConvForward, M = pixels, N = g.OutC, K = taps * g.InC, AAlongK = 1 },
                ConvPass.BackwardInput => new GemmParams { Operands = GemmOperands.ConvBackwardInput, M = inPixels, N = g.InC, K = taps * g.OutC, AAlongK = 1, BAlongK = 1 },
                _ => new GemmParams { Operands = GemmOperands.ConvBackwardWeight, M = taps * g.InC, N = g.OutC, K = pixels },
            };
            p.Conv = dims;
            ImplicitGemm.Run(Device, p, batch: 1, splitK: pass == ConvPass.BackwardWeight, av, bv, rv);
            return;
        }
        var grouped = new GroupedConv { Pass = pass, Conv = dims, Count = result.ElementCount, Splits = 1 };
        if (pass == ConvPass.BackwardWeight)
        {
            // Threads along the weight's elements, each summing a chunk of the output pixels.
            grouped.Chunk = ImplicitGemm.SplitChunk(pixels, ImplicitGemm.CeilDiv(grouped.Count, ImplicitGemm.Threads));
            grouped.Splits = ImplicitGemm.CeilDiv(Math.Max(pixels, 1), grouped.Chunk);
        }
        var launcher = GroupedConvLauncher.On(Device.Accelerator);
        if (grouped.Splits == 1) launcher(grouped.Count, av, bv, rv, grouped);
        else ImplicitGemm.SumOfSplits(Device, grouped.Splits, grouped.Count, rv, partials => launcher(grouped.Count * grouped.Splits, av, bv, partials, grouped));
    }

    private static readonly KernelSlot<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GroupedConv>> GroupedConvLauncher =
        new(a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GroupedConv>(GroupedConvKernel));

    /// <summary>One grouped pass: Count result elements; the weight gradient's pixel sum in Splits chunks of Chunk pixels.</summary>
    internal struct GroupedConv
    {
        public ConvPass Pass;
        public ConvDims Conv;
        public int Count, Splits, Chunk;
    }

    /// <summary>
    /// Result element i (weight gradient: element i % Count of split i / Count) of a grouped convolution pass, summed
    /// over its group's channels and the taps that reach it. Operands as <see cref="IKernels.Conv2d"/> takes them.
    /// </summary>
    [GpuKernel]
    internal static void GroupedConvKernel(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> result, GroupedConv p)
    {
        var c = p.Conv;
        int cinG = c.InCPerGroup, coutG = c.OutCPerGroup;
        float sum = 0f;
        switch (p.Pass)
        {
            case ConvPass.Forward:
            {
                // y[pixel, co] += x[tap's pixel, group's ci] * w[tap, ci, co]
                int co = i % c.OutC, pixel = i / c.OutC;
                int xGroup = co / coutG * cinG;
                for (int kh = 0; kh < c.KernelH; kh++)
                    for (int kw = 0; kw < c.KernelW; kw++)
                    {
                        int at = c.InPixelOf(pixel, kh, kw);
                        if (at < 0) continue;
                        int wAt = (kh * c.KernelW + kw) * cinG * c.OutC + co;
                        for (int ci = 0; ci < cinG; ci++) sum += a[at + xGroup + ci] * b[wAt + ci * c.OutC];
                    }
                break;
            }
            case ConvPass.BackwardInput:
            {
                // dx[pixel, ci] += dy[reading pixel, group's co] * w[tap, ci, co]
                int ci = i % c.InC, pixel = i / c.InC;
                int coGroup = ci / cinG * coutG, ciInGroup = ci % cinG;
                for (int kh = 0; kh < c.KernelH; kh++)
                    for (int kw = 0; kw < c.KernelW; kw++)
                    {
                        int at = c.OutPixelOf(pixel, kh, kw);
                        if (at < 0) continue;
                        int wAt = ((kh * c.KernelW + kw) * cinG + ciInGroup) * c.OutC + coGroup;
                        for (int co = 0; co < coutG; co++) sum += a[at + coGroup + co] * b[wAt + co];
                    }
                break;
            }
            default:
            {
                // dw[tap, ci, co] += x[tap's pixel, group's ci] * dy[pixel, co] over this split's output pixels
                int split = i / p.Count, j = i - split * p.Count;
                int co = j % c.OutC, row = j / c.OutC;
                int ci = co / coutG * cinG + row % cinG, tap = row / cinG;
                int kh = tap / c.KernelW, kw = tap % c.KernelW;
                int end = Math.Min(c.Batch * c.OutH * c.OutW, (split + 1) * p.Chunk);
                for (int pixel = split * p.Chunk; pixel < end; pixel++)
                {
                    int at = c.InPixelOf(pixel, kh, kw);
                    if (at >= 0) sum += a[at + ci] * b[pixel * c.OutC + co];
                }
                break;
            }
        }
        result[i] = sum;
    }
}
