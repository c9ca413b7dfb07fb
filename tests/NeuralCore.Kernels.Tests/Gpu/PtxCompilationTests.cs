using System.Reflection;

using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

using NeuralCore.Kernels.Gpu;

namespace NeuralCore.Kernels.Tests.Gpu;

/// <summary>
/// Every GPU kernel (each method marked [GpuKernel]) compiles to PTX with ILGPU's PTX backend for the Ampere and
/// Hopper targets, with no GPU present: what CI can prove of the CUDA path. (Asked for SM_90, ILGPU 1.5.3 emits
/// the same sm_80 PTX, which the driver's JIT compiles for Hopper.)
/// </summary>
public class PtxCompilationTests
{
    private static readonly Lazy<Context> PtxContext = new(() => Context.Create(b => b.EnableAlgorithms().Optimize(OptimizationLevel.O2)));

    public static IEnumerable<MethodInfo> KernelMethods() =>
        typeof(GpuKernels).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<GpuKernelAttribute>() is not null);

    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        foreach (var m in KernelMethods()) data.Add(NameOf(m));
        return data;
    }

    /// <summary>PTX of a kernel by its name ("Type.Method"), for the given target.</summary>
    internal static string Ptx(string kernel, CudaArchitecture architecture)
    {
        var method = KernelMethods().Single(m => NameOf(m) == kernel);
        var attribute = method.GetCustomAttribute<GpuKernelAttribute>()!;
        if (method.IsGenericMethodDefinition) method = method.MakeGenericMethod(attribute.Instantiations);
        var entry = attribute.Grouped
            ? EntryPointDescription.FromExplicitlyGroupedKernel(method)
            : EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var backend = new PTXBackend(PtxContext.Value, new CudaCapabilityContext(architecture), architecture, CudaInstructionSet.ISA_80, null);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        return compiled.PTXAssembly;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void CompilesForAmpereAndHopper(string kernel)
    {
        foreach (var architecture in new[] { CudaArchitecture.SM_80, CudaArchitecture.SM_90 })
        {
            string ptx = Ptx(kernel, architecture);
            // ILGPU 1.5.3 caps the PTX target at sm_80 when asked for SM_90; the driver JIT runs sm_80 PTX on Hopper.
            Assert.Contains(".target sm_80", ptx);
            Assert.Contains(".entry", ptx);
        }
    }

    [Fact]
    public void EveryGpuOpFileHasKernels() => Assert.NotEmpty(KernelMethods());

    private static string NameOf(MethodInfo m) => $"{m.DeclaringType!.Name}.{m.Name}";
}
