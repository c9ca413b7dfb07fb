using System.IO.Compression;
using System.Text;
using NeuralCore.Layers.Import.Torch;

namespace NeuralCore.Layers.Tests.Import.Torch;

/// <summary>
/// Files a user or an attacker may hand the reader: each fails with one message that names the file and the
/// problem, and no pickle is ever executed (malicious.pth would run <c>os.system</c> under Python's pickle.load).
/// </summary>
public sealed class TorchCheckpointBadInputTests : IDisposable
{
    private readonly List<string> _temps = [];

    public void Dispose()
    {
        foreach (var path in _temps) File.Delete(path);
    }

    private string Temp(byte[] content)
    {
        var path = TorchFixtures.TempPath(".pth");
        _temps.Add(path);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static InvalidDataException Refused(string path)
    {
        var error = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Read(path));
        Assert.StartsWith(path + ": ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    [Fact]
    public void A_pickle_naming_os_system_is_refused_by_the_global_s_name()
    {
        var path = TorchFixtures.PathOf("malicious.pth");
        var error = Refused(path);
        Assert.Equal($"{path}: refusing pickle global 'posix.system' (only tensor state dicts are loaded)", error.Message);
    }

    [Theory]
    [InlineData("views.pth", 600)]
    [InlineData("views.pth", 1500)]
    [InlineData("legacy.pth", 100)]
    [InlineData("legacy.pth", 500)]
    [InlineData("legacy.pth", 1100)]
    public void A_truncated_checkpoint_says_so(string fixture, int keepBytes)
    {
        var error = Refused(Temp(File.ReadAllBytes(TorchFixtures.PathOf(fixture))[..keepBytes]));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_file_that_is_neither_zip_nor_pickle_is_named_as_such()
    {
        var error = Refused(Temp(Encoding.ASCII.GetBytes("just some text, not a checkpoint")));
        Assert.Contains("not a PyTorch checkpoint", error.Message);
    }

    [Fact]
    public void A_zip_without_data_pkl_is_not_a_torch_archive()
    {
        var error = Refused(Temp(Zip(("weights/readme.txt", "hello"u8.ToArray()))));
        Assert.Contains("0 '<root>/data.pkl' members", error.Message);
    }

    [Fact]
    public void A_plain_pickle_without_torch_magic_is_refused()
    {
        var error = Refused(Temp([0x80, 0x02, (byte)'K', 7, (byte)'.']));
        Assert.Contains("no torch magic number", error.Message);
    }

    [Fact]
    public void Globals_outside_the_allow_list_are_refused_also_via_stack_global()
    {
        // protocol 4: "builtins" "eval" STACK_GLOBAL
        var pickle = Concat([0x80, 4], ShortString("builtins"), ShortString("eval"), [0x93, (byte)'.']);
        var error = Refused(Temp(Zip(("x/data.pkl", pickle))));
        Assert.Contains("refusing pickle global 'builtins.eval'", error.Message);
    }

    [Theory]
    [InlineData((byte)'i', "('i')")] // INST: protocol 0 object creation
    [InlineData((byte)0x81, "0x81")] // NEWOBJ
    [InlineData((byte)'P', "('P')")] // PERSID with a text id
    public void Object_creating_opcodes_are_refused_by_name(byte opcode, string named)
    {
        var error = Refused(Temp(Zip(("x/data.pkl", [0x80, 2, opcode, (byte)'.']))));
        Assert.Contains($"refusing pickle opcode 0x{opcode:x2}", error.Message);
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void Calling_an_allowed_global_another_way_is_refused()
    {
        // torch.FloatStorage() called through REDUCE: the class is on the list only inside persistent ids.
        var pickle = Concat([0x80, 2], Encoding.ASCII.GetBytes("ctorch\nFloatStorage\n"), [(byte)')', (byte)'R', (byte)'.']);
        var error = Refused(Temp(Zip(("x/data.pkl", pickle))));
        Assert.Contains("refusing to call 'torch.FloatStorage'", error.Message);
    }

    [Fact]
    public void Unsupported_storage_types_are_named()
    {
        var pickle = Concat([0x80, 2], Encoding.ASCII.GetBytes("ctorch\nComplexFloatStorage\n"), [(byte)'.']);
        var error = Refused(Temp(Zip(("x/data.pkl", pickle))));
        Assert.Contains("'torch.ComplexFloatStorage' is not supported", error.Message);
    }

    [Fact]
    public void A_list_that_contains_itself_is_refused_instead_of_recursing_forever()
    {
        // L = []; L.append(L): EMPTY_LIST, BINPUT 0, BINGET 0, APPEND, STOP
        var error = Refused(Temp(Zip(("x/data.pkl", [0x80, 2, (byte)']', (byte)'q', 0, (byte)'h', 0, (byte)'a', (byte)'.']))));
        Assert.Contains("nested more than 64 levels deep (or contains itself)", error.Message);
    }

    [Fact]
    public void A_view_past_its_storage_is_refused_with_both_sizes()
    {
        // A float tensor of 4 elements at offset 2 in a storage of 4 elements (the file claims it; data has 16 bytes).
        var pickle = TensorPickle(storageElements: 4, offset: 2, size: 4);
        var error = Refused(Temp(Zip(("x/data.pkl", pickle), ("x/data/0", new byte[16]))));
        Assert.Contains("tensor 'w'", error.Message);
        Assert.Contains("reaches element 5, past storage '0' of 4 elements", error.Message);
    }

    [Fact]
    public void A_storage_shorter_than_its_persistent_id_says_is_refused()
    {
        var error = Refused(Temp(Zip(("x/data.pkl", TensorPickle(storageElements: 4, offset: 0, size: 4)), ("x/data/0", new byte[8]))));
        Assert.Contains("storage '0' of tensor 'w' has 8 bytes, expected 16", error.Message);
    }

    [Fact]
    public void A_missing_storage_member_is_named()
    {
        var error = Refused(Temp(Zip(("x/data.pkl", TensorPickle(storageElements: 4, offset: 0, size: 4)))));
        Assert.Contains("no member 'x/data/0'", error.Message);
    }

    [Fact]
    public void The_hand_written_tensor_pickle_loads_when_consistent()
    {
        var data = new byte[16];
        for (var i = 0; i < 4; i++) BitConverter.GetBytes(i + 0.5f).CopyTo(data, i * 4);
        var contents = TorchCheckpoint.Read(Temp(Zip(("x/data.pkl", TensorPickle(4, 1, 3)), ("x/data/0", data))));
        Assert.Equal([1.5f, 2.5f, 3.5f], Assert.Single(contents.Tensors).ToFloat32());
    }

    /// <summary>{'w': _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', n), offset, (size,), (1,), False, OrderedDict())}.</summary>
    private static byte[] TensorPickle(int storageElements, int offset, int size) => Concat(
        [0x80, 2, (byte)'}', (byte)'X', 1, 0, 0, 0, (byte)'w'],
        Encoding.ASCII.GetBytes("ctorch._utils\n_rebuild_tensor_v2\n"),
        [(byte)'(', (byte)'('], ShortString("storage"), Encoding.ASCII.GetBytes("ctorch\nFloatStorage\n"),
        ShortString("0"), ShortString("cpu"), [(byte)'K', (byte)storageElements, (byte)'t', (byte)'Q'],
        [(byte)'K', (byte)offset, (byte)'K', (byte)size, 0x85, (byte)'K', 1, 0x85, 0x89],
        Encoding.ASCII.GetBytes("ccollections\nOrderedDict\n"), [(byte)')', (byte)'R', (byte)'t', (byte)'R', (byte)'s', (byte)'.']);

    private static byte[] ShortString(string text) => [0x8c, (byte)text.Length, .. Encoding.ASCII.GetBytes(text)];

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Zip(params (string Name, byte[] Content)[] members)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in members)
            {
                using var entry = archive.CreateEntry(name, CompressionLevel.NoCompression).Open();
                entry.Write(content);
            }
        return buffer.ToArray();
    }
}
