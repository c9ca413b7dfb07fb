using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>
/// The index arithmetic of one 2-D convolution, shared by conv2d's forward, input-gradient and weight-gradient
/// kernels. conv_transpose2d is the same arithmetic with the roles swapped (its output is the convolution's
/// input), so it runs these kernels too.
/// Legend: the convolution maps In [Batch, InH, InW, InC] with weight [KernelH, KernelW, InC/Groups, OutC]
/// (Keras HWIO) to Out [Batch, OutH, OutW, OutC]; output row oh reads input rows oh*Stride.H - PadTop + kh*Dilation.H.
/// Group g maps input channels [g*InC/Groups, (g+1)*InC/Groups) to output channels [g*OutC/Groups, ...).
/// </summary>
public readonly record struct Conv2dGeometry(
    int Batch, int InH, int InW, int InC, int OutH, int OutW, int OutC,
    int KernelH, int KernelW, Size2d Stride, Size2d Dilation, int PadTop, int PadLeft, int Groups)
{
    public int InCPerGroup => InC / Groups;

    public int OutCPerGroup => OutC / Groups;

    public Shape InputShape => [Batch, InH, InW, InC];

    public Shape OutputShape => [Batch, OutH, OutW, OutC];

    public Shape WeightShape => [KernelH, KernelW, InCPerGroup, OutC];

    /// <summary>Multiply-adds of one pass (the forward and both gradients do the same number).</summary>
    public double MultiplyAdds => (double)Batch * OutH * OutW * OutC * KernelH * KernelW * InCPerGroup;

    /// <summary>Every (output pixel, kernel tap) pair whose input pixel lies inside the input (padding reads are skipped).</summary>
    public TapEnumerator Taps() => new(this);

    /// <summary>Element offsets of one tap: the input pixel's channel row, the output pixel's, and the weight's [KernelH, KernelW] tap.</summary>
    public readonly record struct Tap(int InPixel, int OutPixel, int WeightTap);

    public struct TapEnumerator(Conv2dGeometry g)
    {
        private int _n, _oh, _ow, _kh, _kw = -1;

        public Tap Current { get; private set; }

        public readonly TapEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (_n < g.Batch)
            {
                if (++_kw == g.KernelW)
                {
                    _kw = 0;
                    if (++_kh == g.KernelH)
                    {
                        _kh = 0;
                        if (++_ow == g.OutW)
                        {
                            _ow = 0;
                            if (++_oh == g.OutH)
                            {
                                _oh = 0;
                                if (++_n == g.Batch) return false;
                            }
                        }
                    }
                }
                int ih = _oh * g.Stride.H - g.PadTop + _kh * g.Dilation.H;
                int iw = _ow * g.Stride.W - g.PadLeft + _kw * g.Dilation.W;
                if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW) continue;
                Current = new Tap(
                    ((_n * g.InH + ih) * g.InW + iw) * g.InC,
                    ((_n * g.OutH + _oh) * g.OutW + _ow) * g.OutC,
                    _kh * g.KernelW + _kw);
                return true;
            }
            return false;
        }
    }
}
