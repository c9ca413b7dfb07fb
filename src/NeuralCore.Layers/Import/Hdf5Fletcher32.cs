using System.Buffers.Binary;
using PureHDF.Filters;

namespace NeuralCore.Layers.Import;

/// <summary>
/// HDF5's Fletcher-32 checksum filter (id 3), replacing PureHDF 2.2.0's own: that one returns the chunk without its
/// checksum as a slice of the buffer PureHDF then reuses for the next chunk, so a dataset with more than one
/// partial chunk reads back silently wrong (hdf5_latest.h5 "fletcher32", 6x6 in 4x4 chunks, gets rows of its
/// neighbour chunk). This one checks the checksum and returns a copy.
/// </summary>
internal sealed class Hdf5Fletcher32 : IH5Filter
{
    public ushort FilterId => 3;

    public string Name => "fletcher32";

    public Memory<byte> Filter(FilterInfo info)
    {
        if (!info.Flags.HasFlag(H5FilterFlags.Decompress))
            throw new NotSupportedException("writing Fletcher-32 chunks is not supported");
        var chunk = info.Buffer.Span;
        if (chunk.Length < 4) throw new InvalidDataException($"Fletcher-32 chunk of {chunk.Length} bytes has no room for its checksum");
        var data = chunk[..^4];
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(chunk[^4..]);
        var computed = Checksum(data);
        // HDF5 before 1.6.3 stored the checksum with its bytes swapped in pairs; HDF5 itself still accepts that form.
        var swapped = (computed & 0x00FF00FFu) << 8 | (computed & 0xFF00FF00u) >> 8;
        if (stored != computed && stored != swapped)
            throw new InvalidDataException($"Fletcher-32 checksum mismatch: chunk says 0x{stored:x8}, its data gives 0x{computed:x8}");
        return data.ToArray();
    }

    public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) => [];

    /// <summary>
    /// Fletcher-32 over big-endian 16-bit words (an odd last byte is the high half of a word), both sums folded into
    /// 16 bits before they can overflow (every 360 words) and at the end; the result is sum2:sum1.
    /// </summary>
    internal static uint Checksum(ReadOnlySpan<byte> data)
    {
        uint sum1 = 0, sum2 = 0;
        var words = data.Length / 2;
        for (var start = 0; start < words; start += 360)
        {
            var end = Math.Min(words, start + 360);
            for (var i = start; i < end; i++)
            {
                sum1 += (uint)(data[2 * i] << 8 | data[2 * i + 1]);
                sum2 += sum1;
            }
            (sum1, sum2) = (Fold(sum1), Fold(sum2));
        }
        if (data.Length % 2 == 1)
        {
            sum1 += (uint)data[^1] << 8;
            sum2 += sum1;
            (sum1, sum2) = (Fold(sum1), Fold(sum2));
        }
        return Fold(sum2) << 16 | Fold(sum1);
    }

    private static uint Fold(uint sum) => (sum & 0xFFFF) + (sum >> 16);
}
