using System.Text.Json;
using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Tests;

/// <summary>
/// roi_align (forward and backward), nms, batched_nms, box coding and resize against torchvision 0.14 on the edge cases
/// Mask R-CNN meets: RoIs partly and wholly outside the image or smaller than a pixel, empty input, equal scores, an
/// IoU exactly at the threshold. Expected values: tests/fixtures/detection/detection_ops.json, made (in float32) by
/// tests/fixtures/detection/make_detection_fixture.py. Each check runs on the float64 reference, the float32 Cpu
/// backend and the GPU kernels on the emulator; 2e-5 covers float32 rounding in a different summation order.
/// </summary>
public class DetectionTorchFixtureTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() => Tests.Fixture.Load("detection/detection_ops.json").RootElement);

    private static readonly Tolerance Close = new(2e-5, 2e-5);

    public static TheoryData<string> Targets => new() { "reference float64", "cpu float32", "emulated gpu float32" };

    [Theory]
    [MemberData(nameof(Targets))]
    public void RoiAlignMatchesTorchvisionWithFixedSampling(string target) => CheckRoiAlign("roi_align_ratio2", target);

    [Theory]
    [MemberData(nameof(Targets))]
    public void RoiAlignMatchesTorchvisionWithAdaptiveSampling(string target) => CheckRoiAlign("roi_align_adaptive", target);

    [Theory]
    [MemberData(nameof(Targets))]
    public void RoiAlignOfNoRoisIsEmptyAndItsGradientZero(string target)
    {
        var f = Fixture.Value.GetProperty("roi_align_ratio2");
        var (device, dtype, scope) = Open(target);
        using var _ = scope;
        using var x = Load(f, "x", dtype, device);
        using var rois = Tensor.Zeros([0, 5], dtype, device);
        var attrs = new RoiAlignAttrs(7, 7, 0.25, 2);
        using var y = Ops.RoiAlign(x, rois, attrs);
        Assert.Equal(new Shape([0, 7, 7, 3]), y.Shape);
        using var dy = Tensor.Zeros([0, 7, 7, 3], dtype, device);
        using var dx = Ops.RoiAlignBackward(dy, rois, x.Shape, attrs);
        using var zeros = Tensor.Zeros(x.Shape, DType.Float64);
        TensorAssert.Close(zeros, dx, Tolerance.Exact, "roi_align_backward of no RoIs");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void NmsKeepsWhatTorchvisionKeeps(string target)
    {
        foreach (var name in new[] { "nms_0.5", "nms_0.3", "nms_0.7", "nms_random_ties" })
        {
            var f = Fixture.Value.GetProperty(name);
            var (device, dtype, scope) = Open(target);
            using var _ = scope;
            using var boxes = Load(f, "boxes", dtype, device);
            using var scores = Load(f, "scores", dtype, device);
            using var keep = Ops.Nms(boxes, scores, f.GetProperty("iou_threshold").GetDouble());
            Assert.Equal(Ints(f, "keep"), keep.ToArray<int>());
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void BatchedNmsSuppressesOnlyWithinACategory(string target)
    {
        var f = Fixture.Value.GetProperty("batched_nms");
        var (device, dtype, scope) = Open(target);
        using var _ = scope;
        using var boxes = Load(f, "boxes", dtype, device);
        using var scores = Load(f, "scores", dtype, device);
        using var categories = Tensor.FromArray(Ints(f, "categories"), [boxes.Shape[0]], device);
        using var keep = Ops.BatchedNms(boxes, scores, categories, f.GetProperty("iou_threshold").GetDouble());
        Assert.Equal(Ints(f, "keep"), keep.ToArray<int>());
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void NmsOfNoBoxesKeepsNothing(string target)
    {
        var (device, dtype, scope) = Open(target);
        using var _ = scope;
        using var boxes = Tensor.Zeros([0, 4], dtype, device);
        using var scores = Tensor.Zeros([0], dtype, device);
        using var keep = Ops.Nms(boxes, scores, 0.5);
        Assert.Equal(0, keep.ElementCount);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void BoxCodingMatchesTorchvisionIncludingTheClip(string target)
    {
        var f = Fixture.Value.GetProperty("box_coder");
        var (device, dtype, scope) = Open(target);
        using var _ = scope;
        var w = f.GetProperty("weights").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var attrs = new BoxCoderAttrs(w[0], w[1], w[2], w[3], f.GetProperty("clip").GetDouble());
        using var deltas = Load(f, "deltas", dtype, device);
        using var boxes = Load(f, "boxes", dtype, device);
        using var targets = Load(f, "targets", dtype, device);
        using var decoded = Ops.BoxDecode(deltas, boxes, attrs);
        using var encoded = Ops.BoxEncode(targets, boxes, attrs);
        Expect(f, "decoded", decoded, new Tolerance(1e-4, 2e-6));
        Expect(f, "encoded", encoded, Close);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void ResizeMatchesTorchInterpolateBilinear(string target)
    {
        foreach (var name in new[] { "resize_up", "resize_down" })
        {
            var f = Fixture.Value.GetProperty(name);
            var (device, dtype, scope) = Open(target);
            using var _ = scope;
            using var x = Load(f, "x", dtype, device);
            var size = Ints(f, "size");
            using var y = Ops.Resize(x, size[0], size[1]);
            Expect(f, "y", y, Close);
        }
    }

    private static void CheckRoiAlign(string name, string target)
    {
        var f = Fixture.Value.GetProperty(name);
        var (device, dtype, scope) = Open(target);
        using var _ = scope;
        var pooled = Ints(f, "pooled");
        var attrs = new RoiAlignAttrs(pooled[0], pooled[1], f.GetProperty("spatial_scale").GetDouble(), f.GetProperty("sampling_ratio").GetInt32());
        using var x = Load(f, "x", dtype, device);
        using var rois = Load(f, "rois", dtype, device);
        using var y = Ops.RoiAlign(x, rois, attrs);
        Expect(f, "y", y, Close);
        using var dy = Load(f, "dy", dtype, device);
        using var dx = Ops.RoiAlignBackward(dy, rois, x.Shape, attrs);
        Expect(f, "dx", dx, Close);
    }

    /// <summary>The device, float type and backend choice a target name stands for.</summary>
    private static (Device Device, DType DType, IDisposable Scope) Open(string target) => target switch
    {
        "reference float64" => (Device.Cpu, DType.Float64, Backend.Use(KernelBackend.Reference)),
        "cpu float32" => (Device.Cpu, DType.Float32, Backend.Use(KernelBackend.Cpu)),
        _ => (Device.Emulated, DType.Float32, Backend.Use(KernelBackend.Cpu)),
    };

    private static int[] Ints(JsonElement f, string name)
    {
        var e = f.GetProperty(name);
        var data = e.ValueKind == JsonValueKind.Array ? e : e.GetProperty("data");
        return data.EnumerateArray().Select(v => v.GetInt32()).ToArray();
    }

    private static Tensor Load(JsonElement f, string name, DType dtype, Device device)
    {
        var t = f.GetProperty(name);
        var shape = new Shape(t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray());
        var data = t.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var cpu = dtype == DType.Float64 ? Tensor.FromArray(data, shape) : Tensor.FromArray(Array.ConvertAll(data, v => (float)v), shape);
        if (device == Device.Cpu) return cpu;
        using (cpu) return cpu.To(device);
    }

    private static void Expect(JsonElement f, string name, Tensor actual, Tolerance tol)
    {
        using var expected = Load(f, name, DType.Float64, Device.Cpu);
        using var onCpu = actual.To(Device.Cpu);
        TensorAssert.Close(expected, onCpu, tol, $"torchvision fixture '{name}'");
    }
}
