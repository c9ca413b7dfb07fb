using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using NeuralCore.Kernels;
using NeuralCore.Kernels.Catalog;
using NeuralCore.Tensors;

namespace NeuralCore.Bench.Ops;

/// <summary>
/// BenchmarkDotNet suite generated from the catalog: every benchmark case of every op, on each CPU backend.
/// `bench -- bdn --filter '*CatalogBenchmarks*'` (long: use --quick for the one-table summary).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(FullCaseNames))]
public class CatalogBenchmarks
{
    /// <summary>Case names ("conv2d_backward_weight#21") are longer than the 20 characters BenchmarkDotNet shows by
    /// default, which would cut them to "conv2(...)ht#21" in every table and CSV.</summary>
    private sealed class FullCaseNames : ManualConfig
    {
        public FullCaseNames() => SummaryStyle = SummaryStyle.Default.WithMaxParameterColumnWidth(48);
    }

    private Tensor[] _inputs = [];
    private OpDef _op = null!;
    private OpCase _case = null!;

    public static IEnumerable<string> Cases() =>
        OpCatalog.All.SelectMany(op => op.Cases.Select((c, i) => (op, c, i)).Where(x => x.c.Bench).Select(x => $"{x.op.Name}#{x.i}"));

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    [Params(KernelBackend.Cpu, KernelBackend.Reference)]
    public KernelBackend Backend { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var parts = Case.Split('#');
        _op = OpCatalog.Get(parts[0]);
        _case = _op.Cases[int.Parse(parts[1])];
        _inputs = CaseInputs.Create(_case, DType.Float32, seed: 1);
    }

    [Benchmark]
    public void Run()
    {
        using var backend = Kernels.Backend.Use(Backend);
        using var scope = TensorScope.Begin();
        _op.Run(_inputs, _case.Attrs);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in _inputs) t.Dispose();
    }
}
