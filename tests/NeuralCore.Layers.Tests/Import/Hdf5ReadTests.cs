using NeuralCore.Layers.Import;
using PureHDF;

namespace NeuralCore.Layers.Tests.Import;

/// <summary>
/// HDF5 reading (PureHDF through <see cref="Hdf5Read"/>) on hdf5_latest.h5 (libver='latest': superblock v3, v2
/// object headers, dense links and attributes, layout v4 with every chunk index, gzip, shuffle, fletcher32), on a
/// superblock-v2 file behind a user block, and on damaged or unsupported files: every error names the file.
/// </summary>
public class Hdf5ReadTests
{
    private const string Latest = "hdf5_latest.h5";

    [Fact]
    public void Every_dataset_of_the_latest_format_file_matches_the_stored_values()
    {
        var path = WeightFixtures.PathOf(Latest);
        var expected = WeightFixtures.Expected(Latest);
        using var file = Hdf5Read.Open(path);
        Assert.True(expected.Count >= 20);
        foreach (var tensor in expected)
        {
            var actual = Hdf5Read.ReadTensor(path, Hdf5Read.Dataset(path, file, tensor.Name), tensor.Name);
            Assert.Equal(tensor.Name, actual.Name);
            WeightFixtures.AssertSameTensor(tensor, actual);
        }
    }

    [Theory]
    [InlineData("chunked_gzip_shuffle", WeightDType.F32)] // fixed array index, deflate + shuffle, partial edge chunks
    [InlineData("single_chunk_gzip", WeightDType.F32)]
    [InlineData("implicit", WeightDType.F32)]
    [InlineData("extensible", WeightDType.F32)]
    [InlineData("btree2", WeightDType.F32)]
    [InlineData("fletcher32", WeightDType.F32)]
    [InlineData("compact", WeightDType.F32)]
    [InlineData("half", WeightDType.F16)]
    [InlineData("contiguous_f64", WeightDType.F64)]
    [InlineData("ints/i64", WeightDType.I64)]
    [InlineData("ints/u8", WeightDType.U8)]
    [InlineData("scalar", WeightDType.F32)]
    public void Each_storage_variant_and_dtype_reads_exactly(string dataset, WeightDType dtype)
    {
        var path = WeightFixtures.PathOf(Latest);
        var expected = WeightFixtures.Expected(Latest).Single(t => t.Name == dataset);
        using var file = Hdf5Read.Open(path);
        var actual = Hdf5Read.ReadTensor(path, Hdf5Read.Dataset(path, file, dataset), dataset);
        Assert.Equal(dtype, actual.DType);
        WeightFixtures.AssertSameTensor(expected, actual);
    }

    [Fact]
    public void Superblock_v2_behind_a_user_block_reads_relative_to_the_base_address()
    {
        const string fixture = "hdf5_v108_userblock.h5";
        var path = WeightFixtures.PathOf(fixture);
        using var file = Hdf5Read.Open(path);
        foreach (var tensor in WeightFixtures.Expected(fixture))
            WeightFixtures.AssertSameTensor(tensor, Hdf5Read.ReadTensor(path, Hdf5Read.Dataset(path, file, tensor.Name), tensor.Name));
        var weights = Hdf5Read.TryGroup(path, file, "weights")!;
        Assert.Equal(["user block"], Hdf5Read.TryStrings(path, Hdf5Read.TryAttribute(path, weights, "note")!)!);
    }

    [Fact]
    public void A_dense_group_lists_its_links_in_name_order_and_its_dense_attributes()
    {
        var path = WeightFixtures.PathOf(Latest);
        using var file = Hdf5Read.Open(path);
        var many = Hdf5Read.TryGroup(path, file, "many")!;
        var children = Hdf5Read.Children(path, many);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"d{i:00}"), children.Select(c => c.Name));
        Assert.All(children, c => Assert.IsAssignableFrom<IH5Dataset>(c));
        Assert.Equal(13, many.Attributes().Count());
        Assert.Equal(["alpha", "beta", "gamma"], Hdf5Read.TryStrings(path, Hdf5Read.TryAttribute(path, many, "names")!)!);
        Assert.Null(Hdf5Read.TryStrings(path, Hdf5Read.TryAttribute(path, many, "attr03")!));
    }

    [Theory]
    [InlineData("fixed", new[] { "fixed-length" })]
    [InlineData("vlen", new[] { "variable-length" })]
    [InlineData("array_of_strings", new[] { "ab", "cd" })]
    public void String_attributes_decode_fixed_and_variable_length_scalars_and_arrays(string attribute, string[] expected)
    {
        var path = WeightFixtures.PathOf(Latest);
        using var file = Hdf5Read.Open(path);
        Assert.Equal(expected, Hdf5Read.TryStrings(path, Hdf5Read.TryAttribute(path, file, attribute)!)!);
        Assert.Null(Hdf5Read.TryAttribute(path, file, "no_such_attribute"));
    }

    [Fact]
    public void A_missing_dataset_names_the_file_the_path_and_the_group()
    {
        var path = WeightFixtures.PathOf(Latest);
        using var file = Hdf5Read.Open(path);
        var many = Hdf5Read.TryGroup(path, file, "many")!;
        var error = Assert.Throws<InvalidDataException>(() => Hdf5Read.Dataset(path, many, "d99"));
        Assert.Contains(path, error.Message);
        Assert.Contains("'d99'", error.Message);
        Assert.Contains("'many'", error.Message);
        Assert.Null(Hdf5Read.TryGroup(path, file, "many/d99"));
    }

    [Fact]
    public void An_unsupported_filter_names_file_dataset_and_filter()
    {
        var path = WeightFixtures.PathOf("unsupported_lzf.h5");
        using var file = Hdf5Read.Open(path);
        var error = Assert.Throws<InvalidDataException>(() => Hdf5Read.ReadTensor(path, Hdf5Read.Dataset(path, file, "group/lzf"), "group/lzf"));
        Assert.Contains(path, error.Message);
        Assert.Contains("group/lzf", error.Message);
        Assert.Contains("32000", error.Message);
    }

    [Fact]
    public void A_fletcher32_chunk_whose_data_changed_fails_its_checksum()
    {
        // Flip one bit of the first chunk's data (its first row is the first four values of the dataset).
        var expected = WeightFixtures.Expected(Latest).Single(t => t.Name == "fletcher32");
        var bytes = File.ReadAllBytes(WeightFixtures.PathOf(Latest));
        var at = bytes.AsSpan().IndexOf(expected.Data.AsSpan(0, 16));
        Assert.True(at > 0, "first chunk not found");
        Assert.Equal(-1, bytes.AsSpan(at + 1).IndexOf(expected.Data.AsSpan(0, 16)));
        bytes[at + 5] ^= 1;
        var path = WeightFixtures.TempPath(".h5");
        File.WriteAllBytes(path, bytes);
        try
        {
            using var file = Hdf5Read.Open(path);
            var error = Assert.Throws<InvalidDataException>(() => Hdf5Read.ReadTensor(path, Hdf5Read.Dataset(path, file, "fletcher32"), "fletcher32"));
            Assert.Contains(path, error.Message);
            Assert.Contains("Fletcher-32 checksum mismatch", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_file_without_the_hdf5_signature_is_refused_naming_it()
    {
        var path = WeightFixtures.PathOf("model.safetensors");
        var error = Assert.Throws<InvalidDataException>(() => Hdf5Read.Open(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("not a valid HDF 5 file", error.Message);
    }

    [Theory]
    [InlineData("keras2_h5py3.h5", 100)]
    [InlineData("keras2_h5py3.h5", 4000)]
    [InlineData(Latest, 2000)]
    public void A_truncated_file_names_the_file_and_what_was_being_read(string fixture, int keepBytes)
    {
        var path = WeightFixtures.TruncatedCopy(fixture, keepBytes);
        try
        {
            var error = Assert.Throws<InvalidDataException>(() =>
            {
                using var file = Hdf5Read.Open(path);
                ReadEverything(path, file);
            });
            Assert.Contains(path, error.Message);
            Assert.Contains("cannot read", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void ReadEverything(string path, IH5Group group)
    {
        foreach (var child in Hdf5Read.Children(path, group))
        {
            if (child is IH5Group g) ReadEverything(path, g);
            else Hdf5Read.ReadTensor(path, (IH5Dataset)child, child.Name);
        }
    }
}
