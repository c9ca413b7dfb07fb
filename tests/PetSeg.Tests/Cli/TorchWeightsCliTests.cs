using NeuralCore.Layers.Import;

namespace PetSeg.Tests.Cli;

/// <summary>
/// <c>petseg weights inspect|convert</c> on PyTorch checkpoints (tests/NeuralCore.Layers.Tests/Fixtures/torch, made by
/// make_torch_fixtures.py there), and the one-line errors for files that are not safe or not whole.
/// </summary>
public sealed class TorchWeightsCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("petseg-torch-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int ExitCode, string Out, string Err) Run(params string[] args) => CliTests.Run(args);

    private static string Fixture(string name) => CliTests.Fixture(name, "torch");

    private static void AssertOneLineFailure((int ExitCode, string Out, string Err) result, string mustContain)
    {
        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("", result.Out);
        CliTests.AssertOneLineError(result.Err, mustContain);
    }

    [Fact]
    public void Inspect_lists_a_torchvision_state_dict_in_pytorch_names()
    {
        var path = Fixture("torchvision_blocks.pth");
        var (code, output, err) = Run("weights", "inspect", path);

        Assert.Equal(0, code);
        Assert.Equal("", err);
        var tensors = WeightFile.Read(path).Tensors;
        Assert.Contains($"{path}: format torch-zip, {tensors.Count} tensors, {tensors.Sum(t => t.ElementCount):N0} values", output);
        Assert.Matches(@"stem\.0\.weight\s*│ F32\s*│ \[8, 3, 3, 3\]", output);
        Assert.Matches(@"basic\.bn1\.num_batches_tracked\s*│ I64\s*│ \[\]", output);
    }

    [Fact]
    public void Convert_keeps_tensors_and_the_checkpoint_s_other_values_as_metadata()
    {
        var output = Path.Combine(_folder, "nested.safetensors");
        var (code, stdout, err) = Run("weights", "convert", Fixture("nested.pth"), output);

        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Contains($"{output}: 8 tensors", stdout);
        var converted = WeightFile.Read(output);
        var original = WeightFile.Read(Fixture("nested.pth"));
        Assert.Equal(original.Tensors.Select(t => (t.Name, t.DType, t.ShapeText)), converted.Tensors.Select(t => (t.Name, t.DType, t.ShapeText)));
        Assert.All(original.Tensors.Zip(converted.Tensors), p => Assert.Equal(p.First.Data, p.Second.Data));
        Assert.Equal("7", converted.Metadata["epoch"]);
        Assert.Equal("torch-zip", converted.Metadata["source_format"]);
    }

    [Fact]
    public void A_pickle_naming_a_disallowed_global_is_refused_in_one_line()
    {
        var path = Fixture("malicious.pth");
        AssertOneLineFailure(Run("weights", "inspect", path), $"{path}: refusing pickle global 'posix.system'");
        AssertOneLineFailure(Run("weights", "convert", path, Path.Combine(_folder, "out.npz")), "refusing pickle global");
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Theory]
    [InlineData("truncated.pth", "truncated")]
    [InlineData("text.pt", "not a PyTorch checkpoint")]
    public void A_truncated_or_foreign_file_fails_naming_the_file(string name, string problem)
    {
        var path = Path.Combine(_folder, name);
        var content = name.StartsWith("truncated", StringComparison.Ordinal)
            ? File.ReadAllBytes(Fixture("views.pth"))[..700]
            : "hello, not weights"u8.ToArray();
        File.WriteAllBytes(path, content);
        AssertOneLineFailure(Run("weights", "inspect", path), $"{path}: ");
        AssertOneLineFailure(Run("weights", "inspect", path), problem);
    }
}
