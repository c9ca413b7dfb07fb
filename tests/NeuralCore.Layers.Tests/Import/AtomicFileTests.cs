using NeuralCore.Layers.Import;

namespace NeuralCore.Layers.Tests.Import;

/// <summary>AtomicFile: the target is the old file or the new one, never a part; the temporary names are recognisable.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("neuralcore-atomicfile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Copy_replaces_the_target_whole_and_leaves_no_temporary_file()
    {
        var source = Path.Combine(_folder, "last.bin");
        var target = Path.Combine(_folder, "best.bin");
        File.WriteAllBytes(source, Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray());
        File.WriteAllText(target, "old");
        AtomicFile.Copy(source, target);
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(target));
        Assert.Equal(["best.bin", "last.bin"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_failed_copy_keeps_the_old_target()
    {
        var target = Path.Combine(_folder, "best.bin");
        File.WriteAllText(target, "old");
        Assert.Throws<FileNotFoundException>(() => AtomicFile.Copy(Path.Combine(_folder, "missing.bin"), target));
        Assert.Equal("old", File.ReadAllText(target));
        Assert.Equal(["best.bin"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData(".best.safetensors.0123456789abcdef0123456789abcdef.tmp", true)]
    [InlineData(".metrics.csv.fedcba9876543210fedcba9876543210.tmp", true)]
    [InlineData("best.safetensors", false)]
    [InlineData(".lock.1234.tmp", false)]
    [InlineData("notes.tmp", false)]
    public void Temporary_names_are_recognised(string name, bool temporary) => Assert.Equal(temporary, AtomicFile.IsTemporary(name));
}
