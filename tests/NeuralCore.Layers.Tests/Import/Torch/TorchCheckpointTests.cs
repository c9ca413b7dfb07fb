using System.Buffers.Binary;
using NeuralCore.Layers.Import;
using NeuralCore.Layers.Import.Torch;

namespace NeuralCore.Layers.Tests.Import.Torch;

/// <summary>torch.save files made by make_torch_fixtures.py against the values the script stored beside them.</summary>
public class TorchCheckpointTests
{
    [Theory]
    [InlineData("dtypes.pth", TorchCheckpoint.FormatZip)]
    [InlineData("views.pth", TorchCheckpoint.FormatZip)]
    [InlineData("nested.pth", TorchCheckpoint.FormatZip)]
    [InlineData("torchvision_blocks.pth", TorchCheckpoint.FormatZip)]
    [InlineData("protocol4.pth", TorchCheckpoint.FormatZip)]
    [InlineData("legacy.pth", TorchCheckpoint.FormatLegacy)]
    public void Every_tensor_has_the_name_dtype_shape_and_bytes_pytorch_saved(string file, string format)
    {
        var contents = TorchCheckpoint.Read(TorchFixtures.PathOf(file));
        var expected = TorchFixtures.Expected(file);

        Assert.Equal(format, contents.Format);
        Assert.Equal(expected.Select(t => t.Name), contents.Tensors.Select(t => t.Name));
        foreach (var (want, got) in expected.Zip(contents.Tensors))
        {
            Assert.Equal(want.DType, got.DType);
            Assert.Equal(want.Shape, got.Shape);
            Assert.True(want.Data.AsSpan().SequenceEqual(got.Data), $"{file}: tensor '{got.Name}' differs from the saved values");
        }
    }

    [Fact]
    public void Dtypes_numpy_lacks_are_widened_exactly()
    {
        var t = TorchCheckpoint.Read(TorchFixtures.PathOf("dtypes.pth")).Tensors.ToDictionary(x => x.Name);

        Assert.Equal(WeightDType.F32, t["bf16"].DType);
        Assert.Equal([1.5f, -2f, 3.140625f], t["bf16"].ToFloat32());
        Assert.Equal(WeightDType.I32, t["i8"].DType);
        Assert.Equal([-128f, 127f], t["i8"].ToFloat32());
        Assert.Equal([-300f, 300f], t["i16"].ToFloat32());
        Assert.Equal([1, 0, 1], t["bool"].Data);
        Assert.Equal(-9000000000L, BinaryPrimitives.ReadInt64LittleEndian(t["i64"].Data));
        Assert.Equal([0.5f, -1f, 2f, 65504f], t["f16"].ToFloat32());
        Assert.Empty(t["scalar"].Shape);
        Assert.Equal([2.5f], t["scalar"].ToFloat32());
        Assert.Equal([0L, 3], t["empty"].Shape);
        Assert.Equal([4L], t["param"].Shape); // an nn.Parameter is its data
    }

    [Fact]
    public void Views_of_one_storage_come_out_in_c_order()
    {
        var t = TorchCheckpoint.Read(TorchFixtures.PathOf("views.pth")).Tensors.ToDictionary(x => x.Name);

        Assert.Equal([3f, 4, 5, 6], t["window"].ToFloat32());
        Assert.Equal([10f, 11, 12, 13, 14, 15], t["block"].ToFloat32());
        Assert.Equal([4L, 3], t["transposed"].Shape);
        Assert.Equal([0f, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], t["transposed"].ToFloat32());
        Assert.Equal([1f, 4, 7, 10, 13, 16, 19, 22], t["every_third"].ToFloat32());
        Assert.Equal([8f, 9, 10, 14, 15, 16], t["corner"].ToFloat32());
        Assert.Equal([7f, 8, 9, 7, 8, 9], t["broadcast"].ToFloat32());
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (float)i), t["channels_last"].ToFloat32());
    }

    [Fact]
    public void A_training_checkpoint_gives_dotted_tensor_names_and_its_other_values()
    {
        var contents = TorchCheckpoint.Read(TorchFixtures.PathOf("nested.pth"));

        Assert.Equal(["model.0.weight", "model.0.bias", "model.1.weight", "model.1.bias", "model.1.running_mean",
            "model.1.running_var", "model.1.num_batches_tracked", "history.0"], contents.Tensors.Select(t => t.Name));
        Assert.Equal("7", contents.Values["epoch"]);
        Assert.Equal("0.001", contents.Values["optimizer.lr"]);
        Assert.Equal("0.999", contents.Values["optimizer.betas.1"]);
        Assert.Equal("False", contents.Values["optimizer.amsgrad"]);
        Assert.Equal("None", contents.Values["optimizer.name"]);
        Assert.Equal("1.5", contents.Values["history.1"]);
        Assert.Equal("run-1", contents.Values["tag"]);
    }

    [Fact]
    public void A_torchvision_state_dict_keeps_pytorch_names_and_layouts()
    {
        var t = TorchCheckpoint.Read(TorchFixtures.PathOf("torchvision_blocks.pth")).Tensors.ToDictionary(x => x.Name);

        Assert.Equal([8L, 3, 3, 3], t["stem.0.weight"].Shape);
        Assert.Equal([8L], t["stem.1.running_var"].Shape);
        Assert.Equal([16L, 1, 3, 3], t["inverted.conv.1.0.weight"].Shape); // depthwise, expand ratio 2
        Assert.Equal([8L], t["frozen.running_mean"].Shape);
        Assert.False(t.ContainsKey("frozen.num_batches_tracked"));
        Assert.Equal([8L, 4, 3, 3], t["up.weight"].Shape);
        Assert.Equal([3L, 4], t["head.weight"].Shape);
        Assert.Equal(WeightDType.I64, t["basic.bn1.num_batches_tracked"].DType);
    }

    [Theory]
    [InlineData(".pth")]
    [InlineData(".pt")]
    public void WeightFile_reads_pth_and_pt_with_values_as_metadata(string extension)
    {
        var path = TorchFixtures.TempPath(extension);
        File.Copy(TorchFixtures.PathOf("nested.pth"), path);
        try
        {
            var contents = WeightFile.Read(path);
            Assert.Equal(TorchCheckpoint.FormatZip, contents.Format);
            Assert.Null(contents.KerasLayers);
            Assert.Equal(8, contents.Tensors.Count);
            Assert.Equal("7", contents.Metadata["epoch"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Writing_a_pth_is_refused()
    {
        var path = TorchFixtures.TempPath(".pth");
        var error = Assert.Throws<NotSupportedException>(() => WeightFile.Write(path, [RawTensor.FromFloat32("a", [1], [1f])]));
        Assert.Contains("writing PyTorch checkpoints is not supported", error.Message);
        Assert.False(File.Exists(path));
    }
}
