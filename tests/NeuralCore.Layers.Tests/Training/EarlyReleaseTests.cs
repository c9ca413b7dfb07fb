using NeuralCore.Autograd;
using NeuralCore.Kernels;
using NeuralCore.Tensors;
using NeuralCore.Tensors.Memory;

namespace NeuralCore.Layers.Tests.Training;

/// <summary>
/// Forward intermediates go back to the pool at their last use unless a backward rule saved them, and saved ones
/// go during backward. Measured on the shared pool's peak bytes in use over one forward + backward, against
/// everything the forward pass allocated: an engine that keeps every activation until the step ends peaks above
/// that total.
/// </summary>
[Collection(nameof(NativeMemoryCollection))]
public class EarlyReleaseTests
{
    [Fact]
    public void AFrozenEncoderKeepsOnlyItsTapsSoThePeakStaysFarBelowWhatTheForwardAllocated()
    {
        var model = ModelZoo.Create(ModelZoo.UNetMobileNetV2, 3, 1);
        model.Encoder!.Freeze();
        var (forwardPeak, peak, forwardRented) = MeasureStep(model, batch: 2, size: 96);
        string measured = $"peak in use {forwardPeak:N0} B in forward, {peak:N0} B in the step; forward allocated {forwardRented:N0} B";
        Assert.True(forwardPeak < forwardRented / 3, measured);
        Assert.True(peak < forwardRented / 2, measured);
    }

    [Fact]
    public void ATrainableNetworkKeepsOnlyWhatBackwardNeeds()
    {
        var model = new UNet(3, seed: 1, baseFilters: 8);
        var (forwardPeak, peak, forwardRented) = MeasureStep(model, batch: 2, size: 64);
        string measured = $"peak in use {forwardPeak:N0} B in forward, {peak:N0} B in the step; forward allocated {forwardRented:N0} B";
        Assert.True(forwardPeak < forwardRented / 2, measured);
        Assert.True(peak < forwardRented * 2 / 3, measured);
    }

    [Fact]
    public void WhatTheCallerHoldsOutlivesTheForwardPass()
    {
        var model = ModelZoo.Create(ModelZoo.UNetMobileNetV2, 3, 1);
        model.Encoder!.Freeze();
        using var scope = TensorScope.Begin();
        var images = Tensor.Full([1, 32, 32, 3], 0.5);
        var taps = model.Encoder.ForwardTaps(images, ["block_1_expand_relu", "block_16_project"]);
        var logits = model.Forward(images);
        var loss = F.SoftmaxCrossEntropy(logits, Tensor.Zeros([1, 32, 32], DType.Int32));
        loss.Backward();
        Assert.All(new[] { images, logits, loss }.Concat(taps.Values), t => Assert.False(t.IsDisposed, t.Describe()));
        Assert.All(taps.Values.Append(logits), t => Assert.All(t.ToArray<float>(), v => Assert.True(float.IsFinite(v))));
    }

    /// <summary>
    /// Peak bytes in use over the forward pass and over the whole step (forward, loss, backward), and the bytes the
    /// forward pass allocated in all.
    /// </summary>
    private static (long ForwardPeak, long StepPeak, long ForwardRented) MeasureStep(SegmentationModel model, int batch, int size)
    {
        var pool = NativeBlockPool.Shared;
        using var images = Tensor.Empty([batch, size, size, 3]);
        new RandomGenerator(3).FillUniform(images.Span<float>());
        using var labels = Tensor.FromArray(Enumerable.Range(0, batch * size * size).Select(i => i % 3).ToArray(), [batch, size, size]);
        // Tensors that earlier tests left to the finalizer must not move the bytes-in-use count mid-measurement, and
        // blocks they left cached must not be handed out oversized (the pool's best fit), so the figures do not
        // depend on which tests ran before.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        pool.Trim();
        using var scope = TensorScope.Begin();
        pool.ResetPeak();
        long inUse = pool.BytesInUse, rented = pool.BytesRentedTotal;
        var logits = model.Forward(images);
        long forwardRented = pool.BytesRentedTotal - rented, forwardPeak = pool.PeakBytesInUse - inUse;
        F.SoftmaxCrossEntropy(logits, labels).Backward();
        return (forwardPeak, pool.PeakBytesInUse - inUse, forwardRented);
    }
}
