using System.Reflection;
using NeuralCore.Kernels.Cpu;
using NeuralCore.Kernels.Reference;

namespace NeuralCore.Kernels.Tests;

/// <summary>
/// Which kernels the Cpu backend speeds up. The compiler already makes every backend implement all of
/// <see cref="IKernels"/>; this checks the decision per kernel: each one is overridden by <see cref="CpuKernels"/>
/// or listed here as deliberately left to the reference, so a kernel added to the interface without a fast path
/// (or a fast path added without updating the list) fails.
/// </summary>
public class KernelsCoverageTests
{
    /// <summary>
    /// Kernels the Cpu backend runs as the reference: zero_pad_backward is one strided copy either way; box coding
    /// takes about 1 ms for the box head's 1000 x 91 boxes, too little of a Mask R-CNN inference to pay for a kernel
    /// (bench/RESULTS.md).
    /// </summary>
    private static readonly string[] LeftToReference =
    [
        nameof(IKernels.ZeroPadBackward), nameof(IKernels.BoxDecode), nameof(IKernels.BoxEncode),
    ];

    [Fact]
    public void EveryKernelHasACpuFastPathOrIsListedAsLeftToTheReference()
    {
        var overridden = typeof(CpuKernels).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.GetBaseDefinition().DeclaringType == typeof(ReferenceKernels))
            .Select(m => m.Name).ToHashSet();
        foreach (var name in typeof(IKernels).GetMethods().Select(m => m.Name))
        {
            bool left = LeftToReference.Contains(name);
            Assert.True(overridden.Contains(name) != left,
                left ? $"CpuKernels overrides {name}: remove it from LeftToReference"
                     : $"IKernels.{name} has no CpuKernels override: write the fast kernel or list it in LeftToReference");
        }
    }

    [Fact]
    public void ReferenceKernelsDeclareEveryKernelVirtual()
    {
        var map = typeof(ReferenceKernels).GetInterfaceMap(typeof(IKernels));
        Assert.All(map.TargetMethods, m => Assert.True(m.IsVirtual && !m.IsFinal && m.DeclaringType == typeof(ReferenceKernels),
            $"ReferenceKernels.{m.Name} must be a virtual method of ReferenceKernels so a backend can override it"));
    }
}
