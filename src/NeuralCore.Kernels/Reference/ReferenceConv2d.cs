using System.Numerics;

namespace NeuralCore.Kernels.Reference;

/// <summary>Which of a convolution's three products to compute.</summary>
public enum ConvPass
{
    /// <summary>Out = conv(In, W): inputs (In, W).</summary>
    Forward,

    /// <summary>dIn from dOut and W (a transposed convolution): inputs (dOut, W).</summary>
    BackwardInput,

    /// <summary>dW from In and dOut: inputs (In, dOut).</summary>
    BackwardWeight,
}

/// <summary>
/// conv2d's forward, input gradient and weight gradient as plain loops, written once for float and double. Each
/// visits every (output pixel, tap) pair of <see cref="Conv2dGeometry.Taps"/> and does the channel products with
/// the output channel innermost, which is the contiguous axis of both NHWC activations and HWIO weights.
/// </summary>
internal static class ReferenceConv2d
{
    public static void Run<T>(ConvPass pass, Conv2dGeometry g, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (pass)
        {
            case ConvPass.Forward: Forward(g, a, b, result); break;
            case ConvPass.BackwardInput: BackwardInput(g, a, b, result); break;
            default: BackwardWeight(g, a, b, result); break;
        }
    }

    /// <summary>y[n,oh,ow,co] = sum over taps and the group's input channels ci of x[n,ih,iw,ci] * w[kh,kw,ci,co].</summary>
    public static void Forward<T>(Conv2dGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> w, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        y.Clear();
        int cinG = g.InCPerGroup, coutG = g.OutCPerGroup;
        foreach (var tap in g.Taps())
            for (int group = 0; group < g.Groups; group++)
            {
                var yRow = y.Slice(tap.OutPixel + group * coutG, coutG);
                for (int ci = 0; ci < cinG; ci++)
                {
                    T xv = x[tap.InPixel + group * cinG + ci];
                    var wRow = w.Slice((tap.WeightTap * cinG + ci) * g.OutC + group * coutG, coutG);
                    for (int co = 0; co < yRow.Length; co++) yRow[co] += xv * wRow[co];
                }
            }
    }

    /// <summary>dx[n,ih,iw,ci] = sum over the taps reading (ih, iw) of dy[n,oh,ow,co] * w[kh,kw,ci,co] over the group's co.</summary>
    public static void BackwardInput<T>(Conv2dGeometry g, ReadOnlySpan<T> dy, ReadOnlySpan<T> w, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dx.Clear();
        int cinG = g.InCPerGroup, coutG = g.OutCPerGroup;
        foreach (var tap in g.Taps())
            for (int group = 0; group < g.Groups; group++)
            {
                var dyRow = dy.Slice(tap.OutPixel + group * coutG, coutG);
                for (int ci = 0; ci < cinG; ci++)
                {
                    var wRow = w.Slice((tap.WeightTap * cinG + ci) * g.OutC + group * coutG, coutG);
                    T sum = T.Zero;
                    for (int co = 0; co < dyRow.Length; co++) sum += dyRow[co] * wRow[co];
                    dx[tap.InPixel + group * cinG + ci] += sum;
                }
            }
    }

    /// <summary>dw[kh,kw,ci,co] = sum over batch and output pixels of x[n,ih,iw,ci] * dy[n,oh,ow,co].</summary>
    public static void BackwardWeight<T>(Conv2dGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dw)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dw.Clear();
        int cinG = g.InCPerGroup, coutG = g.OutCPerGroup;
        foreach (var tap in g.Taps())
            for (int group = 0; group < g.Groups; group++)
            {
                var dyRow = dy.Slice(tap.OutPixel + group * coutG, coutG);
                for (int ci = 0; ci < cinG; ci++)
                {
                    T xv = x[tap.InPixel + group * cinG + ci];
                    var dwRow = dw.Slice((tap.WeightTap * cinG + ci) * g.OutC + group * coutG, coutG);
                    for (int co = 0; co < dwRow.Length; co++) dwRow[co] += xv * dyRow[co];
                }
            }
    }
}
