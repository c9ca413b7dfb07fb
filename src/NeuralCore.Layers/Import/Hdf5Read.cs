using System.Runtime.InteropServices;
using PureHDF;
using PureHDF.Filters;
using PureHDF.VOL.Native;

namespace NeuralCore.Layers.Import;

/// <summary>
/// The little of HDF5 that weight import needs, on top of PureHDF: opening a file, walking groups, reading string
/// attributes and numeric datasets as <see cref="RawTensor"/>. PureHDF reports problems as plain exceptions
/// without the file's name; every call here turns them into one <see cref="InvalidDataException"/> that names the
/// file and the object being read.
/// </summary>
public static class Hdf5Read
{
    // PureHDF keeps filters in one process-wide table; ours replaces its broken Fletcher-32 (see Hdf5Fletcher32).
    static Hdf5Read() => H5Filter.Register(new Hdf5Fletcher32());

    /// <summary>Opens <paramref name="path"/> for reading; dispose the result to close the file.</summary>
    public static NativeFile Open(string path) => Guard(path, "the file header", () => H5File.OpenRead(path));

    /// <summary>The group at <paramref name="relativePath"/> below <paramref name="group"/>, or null if there is none.</summary>
    public static IH5Group? TryGroup(string file, IH5Group group, string relativePath) =>
        Guard(file, $"link '{relativePath}'", () => group.LinkExists(relativePath) ? group.Get(relativePath) as IH5Group : null);

    /// <summary>The dataset at <paramref name="relativePath"/> below <paramref name="group"/>; throws naming the path if there is none.</summary>
    public static IH5Dataset Dataset(string file, IH5Group group, string relativePath) =>
        Guard(file, $"dataset '{relativePath}'", () => group.LinkExists(relativePath) ? group.Get(relativePath) as IH5Dataset : null)
        ?? throw new InvalidDataException($"{file}: no dataset '{relativePath}' in {Describe(group)}");

    /// <summary>The children of <paramref name="group"/> in ordinal name order (HDF5's own listing order depends on how the file was written).</summary>
    public static IReadOnlyList<IH5Object> Children(string file, IH5Group group) =>
        Guard(file, $"the members of {Describe(group)}", () => group.Children().OrderBy(c => c.Name, StringComparer.Ordinal).ToList());

    /// <summary>The attribute <paramref name="name"/> of <paramref name="owner"/>, or null.</summary>
    public static IH5Attribute? TryAttribute(string file, IH5Object owner, string name) =>
        Guard(file, $"attribute '{name}'", () => owner.AttributeExists(name) ? owner.Attribute(name) : null);

    /// <summary>A string attribute (fixed-length or variable-length, scalar or array) as its strings; null if it holds numbers.</summary>
    public static string[]? TryStrings(string file, IH5Attribute attribute) =>
        Guard(file, $"attribute '{attribute.Name}'", () => attribute.Type.Class switch
        {
            H5DataTypeClass.String or H5DataTypeClass.VariableLength => attribute.Read<string[]>(),
            _ => null,
        });

    /// <summary>Number of elements of an attribute (1 for a scalar).</summary>
    public static ulong ElementCount(IH5Attribute attribute) =>
        attribute.Space.Dimensions.Aggregate(1UL, (count, dim) => count * dim);

    /// <summary>
    /// Reads a numeric dataset (float16/32/64, int32/64, uint8) as a tensor named <paramref name="name"/>, in C order.
    /// </summary>
    public static RawTensor ReadTensor(string file, IH5Dataset dataset, string name)
    {
        var what = $"dataset '{name}'";
        var (shape, typeClass, size, signed) = Guard(file, what, () => (dataset.Space.Dimensions.Select(d => checked((long)d)).ToArray(),
            dataset.Type.Class, dataset.Type.Size, dataset.Type.Class == H5DataTypeClass.FixedPoint && dataset.Type.FixedPoint.IsSigned));
        return (typeClass, size, signed) switch
        {
            (H5DataTypeClass.FloatingPoint, 2, _) => Tensor<Half>(file, what, name, WeightDType.F16, shape, dataset),
            (H5DataTypeClass.FloatingPoint, 4, _) => Tensor<float>(file, what, name, WeightDType.F32, shape, dataset),
            (H5DataTypeClass.FloatingPoint, 8, _) => Tensor<double>(file, what, name, WeightDType.F64, shape, dataset),
            (H5DataTypeClass.FixedPoint, 4, true) => Tensor<int>(file, what, name, WeightDType.I32, shape, dataset),
            (H5DataTypeClass.FixedPoint, 8, true) => Tensor<long>(file, what, name, WeightDType.I64, shape, dataset),
            (H5DataTypeClass.FixedPoint, 1, false) => Tensor<byte>(file, what, name, WeightDType.U8, shape, dataset),
            _ => throw new NotSupportedException(
                $"{file}: dataset '{name}' has HDF5 type {typeClass} of {size} bytes{(typeClass == H5DataTypeClass.FixedPoint ? signed ? " signed" : " unsigned" : "")}; " +
                "weights must be float16/32/64, int32/64 or uint8"),
        };
    }

    private static RawTensor Tensor<T>(string file, string what, string name, WeightDType dtype, long[] shape, IH5Dataset dataset) where T : unmanaged =>
        new(name, dtype, shape, MemoryMarshal.AsBytes(Guard(file, what, () => ReadAll<T>(dataset)).AsSpan()).ToArray());

    /// <summary>
    /// Reads a whole dataset. PureHDF's default chunk cache holds 1 MB, and a chunk that does not fit is decompressed
    /// again for every contiguous run it gives the output: a (3, 3, 512, 512) float32 kernel in (3, 3, 256, 256) gzip
    /// chunks took 206 s instead of 0.3 s (AMD EPYC Zen 4, shared). A cache with room for every chunk reads each once.
    /// </summary>
    private static T[] ReadAll<T>(IH5Dataset dataset) where T : unmanaged
    {
        var dims = dataset.Space.Dimensions;
        if (dataset is not NativeDataset native || dataset.Layout.Class != H5DataLayoutClass.Chunked || dataset.Layout.Chunks.Length < dims.Length)
            return dataset.Read<T[]>();
        var chunk = dataset.Layout.Chunks;
        ulong chunkCount = 1, chunkBytes = (ulong)dataset.Type.Size;
        for (var i = 0; i < dims.Length; i++)
        {
            chunkCount *= (dims[i] + chunk[i] - 1) / chunk[i];
            chunkBytes *= chunk[i];
        }
        var cache = new SimpleReadingChunkCache(checked((int)Math.Max(1, chunkCount)), chunkCount * chunkBytes);
        return native.Read<T[]>(new H5DatasetAccess(ChunkCache: cache));
    }

    private static string Describe(IH5Object group) => group.Name is "" or "/" ? "the root group" : $"group '{group.Name}'";

    /// <summary>PureHDF wraps a filter's error in "Filter pipeline failed."; the inner messages say what failed.</summary>
    private static string Messages(Exception e) => e.InnerException is null ? e.Message : $"{e.Message} {Messages(e.InnerException)}";

    /// <summary>Runs a PureHDF call; its errors become one error that names the file and what was being read.</summary>
    private static T Guard<T>(string file, string what, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not (FileNotFoundException or OutOfMemoryException))
        {
            throw new InvalidDataException($"{file}: cannot read {what}: {Messages(e)}", e);
        }
    }
}
