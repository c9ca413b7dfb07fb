using NeuralCore.Layers.Import;
using PetSeg.Cli;

namespace PetSeg.Tests.Cli;

/// <summary>
/// The petseg command line run in-process: exit codes, one-line errors, help on every command, and the two weight
/// tools on the fixtures of tests/NeuralCore.Layers.Tests/Fixtures/weights (made by make_weight_fixtures.py there).
/// </summary>
public sealed class CliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("petseg-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    internal static (int ExitCode, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = PetSegCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The shared weight fixtures, found by walking up from the test binaries to the repository's tests folder.</summary>
    internal static string Fixture(string name, string folder = "weights")
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "NeuralCore.Layers.Tests", "Fixtures", folder, name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"fixture {name} not found above {AppContext.BaseDirectory}");
    }

    internal static void AssertOneLineError(string err, string mustContain)
    {
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("petseg: ", lines[0]);
        Assert.Contains(mustContain, lines[0]);
    }

    [Fact]
    public void Inspect_lists_every_keras_tensor_with_dtype_shape_layout_and_layer_count()
    {
        var path = Fixture("keras2_h5py2_fixedstr.h5");
        var (code, output, err) = Run("weights", "inspect", path);

        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Contains($"{path}: Keras layout keras2-hdf5, 5 layers (3 with weights), 8 tensors, 102 values", output);
        foreach (var tensor in WeightFile.Read(path).Tensors)
            Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(tensor.Name)}\s*│ F32\s*│ {System.Text.RegularExpressions.Regex.Escape(tensor.ShapeText)}", output);
    }

    [Fact]
    public void Inspect_shows_flat_files_with_their_metadata()
    {
        var (code, output, _) = Run("weights", "inspect", Fixture("model.safetensors"));
        Assert.Equal(0, code);
        Assert.Contains("format safetensors, 3 tensors, 11 values", output);
        Assert.Matches(@"half\s*│ F16\s*│ \[2\]", output);
        Assert.Contains("metadata source: make_weight_fixtures.py", output);
    }

    [Theory]
    [InlineData("keras2_h5py3.h5", ".safetensors")]
    [InlineData("densenet_2017.h5", ".npz")]
    [InlineData("keras3.weights.h5", ".npz")]
    [InlineData("arrays.npz", ".safetensors")]
    [InlineData("model.safetensors", ".npz")]
    public void Convert_keeps_every_name_dtype_shape_and_byte(string fixture, string extension)
    {
        var input = Fixture(fixture);
        var output = Path.Combine(_folder, "converted" + extension);
        var (code, stdout, err) = Run("weights", "convert", input, output);

        Assert.Equal(0, code);
        Assert.Equal("", err);
        var expected = WeightFile.Read(input).Tensors;
        Assert.Contains($"{output}: {expected.Count} tensors", stdout);
        var actual = WeightFile.Read(output).Tensors;
        Assert.Equal(expected.Select(t => t.Name), actual.Select(t => t.Name));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].DType, actual[i].DType);
            Assert.Equal(expected[i].Shape, actual[i].Shape);
            Assert.Equal(expected[i].Data, actual[i].Data);
        }
    }

    [Fact]
    public void Converting_to_hdf5_is_refused_and_writes_nothing()
    {
        var (code, _, err) = Run("weights", "convert", Fixture("model.safetensors"), Path.Combine(_folder, "out.h5"));
        Assert.NotEqual(0, code);
        AssertOneLineError(err, "out.h5: writing HDF5 is not supported");
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Theory]
    [InlineData("garbage.h5")]
    [InlineData("garbage.npz")]
    [InlineData("garbage.safetensors")]
    public void A_bad_file_fails_with_one_line_naming_the_file(string name)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, Enumerable.Range(0, 300).Select(i => (byte)(i * 7)).ToArray());
        foreach (var args in new[] { new[] { "weights", "inspect", path }, ["weights", "convert", path, Path.Combine(_folder, "out.npz")] })
        {
            var (code, output, err) = Run(args);
            Assert.NotEqual(0, code);
            AssertOneLineError(err, path);
            Assert.Equal("", output);
        }
    }

    [Fact]
    public void A_missing_file_or_unknown_extension_names_the_file()
    {
        var missing = Path.Combine(_folder, "absent.safetensors");
        AssertOneLineError(Run("weights", "inspect", missing).Err, missing);
        var (code, _, err) = Run("weights", "inspect", Path.Combine(_folder, "weights.bin"));
        Assert.NotEqual(0, code);
        AssertOneLineError(err, "weights.bin: unknown weight file extension '.bin'");
    }

    [Fact]
    public void Verbose_adds_the_stack_trace()
    {
        var path = Path.Combine(_folder, "absent.h5");
        var (code, _, err) = Run("weights", "inspect", path, "--verbose");
        Assert.NotEqual(0, code);
        Assert.StartsWith($"petseg: Could not find file '{path}'", err);
        Assert.Contains("   at ", err);
    }

    [Theory]
    [InlineData("train", "--epochs", "abc")]
    [InlineData("train", "--model", "resnet")]
    [InlineData("train", "--device", "tpu")]
    [InlineData("synth", "--count", "5")]
    [InlineData("frobnicate")]
    [InlineData()]
    public void Usage_errors_fail_with_one_line(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(PetSegCli.ExitFailure, code);
        AssertOneLineError(err, "--help");
    }

    [Theory]
    [InlineData("train")]
    [InlineData("eval")]
    [InlineData("predict")]
    [InlineData("synth")]
    [InlineData("weights")]
    [InlineData("weights", "inspect")]
    [InlineData("weights", "convert")]
    [InlineData("forward")]
    [InlineData("grad")]
    [InlineData("detect")]
    [InlineData()]
    public void Every_command_has_help(params string[] command)
    {
        var (code, output, err) = Run([.. command, "--help"]);
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Contains("Usage:", output);
        Assert.Contains("petseg " + string.Join(' ', command), output);
    }
}
