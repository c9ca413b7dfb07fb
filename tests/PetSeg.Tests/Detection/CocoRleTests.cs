using PetSeg.Detection;

namespace PetSeg.Tests.Detection;

/// <summary>COCO's uncompressed RLE on masks worked out by hand: column-major runs, starting with the 0s.</summary>
public sealed class CocoRleTests
{
    /// <summary>Expands <paramref name="counts"/> (column-major runs of 0s then 1s) into a row-major mask.</summary>
    internal static byte[] Decode(IReadOnlyList<int> counts, int height, int width)
    {
        var mask = new byte[height * width];
        int position = 0;
        for (int i = 0; i < counts.Count; i++)
        {
            for (int k = 0; k < counts[i]; k++, position++)
                if (i % 2 == 1) mask[position % height * width + position / height] = 1;
        }
        Assert.Equal(height * width, position);
        return mask;
    }

    [Theory]
    // An empty mask is one run of 0s.
    [InlineData(2, 3, new byte[] { 0, 0, 0, 0, 0, 0 }, new[] { 6 })]
    // A full mask starts with no 0s.
    [InlineData(2, 3, new byte[] { 1, 1, 1, 1, 1, 1 }, new[] { 0, 6 })]
    // Only the first pixel set: 0 zeros, 1 one, 3 zeros.
    [InlineData(2, 2, new byte[] { 1, 0, 0, 0 }, new[] { 0, 1, 3 })]
    // Rows 011 / 001 read down the columns: 0 0 | 1 0 | 1 1 (row by row it would be 1, 2, 2, 1).
    [InlineData(2, 3, new byte[] { 0, 1, 1, 0, 0, 1 }, new[] { 2, 1, 1, 2 })]
    // Rows 1100 / 0000 / 0001: down the columns 1 0 0 | 1 0 0 | 0 0 0 | 0 0 1.
    [InlineData(3, 4, new byte[] { 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, new[] { 0, 1, 2, 1, 7, 1 })]
    public void Counts_are_column_major_runs_starting_with_zeros(int height, int width, byte[] mask, int[] expected)
    {
        var counts = CocoRle.Encode(mask, height, width);

        Assert.Equal(expected, counts);
        Assert.Equal(mask, Decode(counts, height, width));
    }

    [Fact]
    public void Any_non_zero_byte_is_inside()
    {
        Assert.Equal([1, 2, 1], CocoRle.Encode([0, 255, 7, 0], 1, 4));
    }

    [Fact]
    public void A_mask_of_the_wrong_size_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => CocoRle.Encode(new byte[5], 2, 3));
        Assert.Contains("5 pixels, expected 2x3 = 6", e.Message);
    }
}
