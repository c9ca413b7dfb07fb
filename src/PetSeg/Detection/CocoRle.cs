namespace PetSeg.Detection;

/// <summary>
/// COCO's uncompressed run-length encoding of a binary mask: the pixels are read in column-major order (down the first
/// column, then the next), and the counts are the lengths of alternating runs of 0s and 1s, starting with 0s (so a mask
/// whose first pixel is set starts with a count of 0). The counts always sum to height x width.
/// </summary>
public static class CocoRle
{
    /// <summary>The counts of <paramref name="mask"/> [height, width] row-major (non-zero = inside).</summary>
    public static int[] Encode(ReadOnlySpan<byte> mask, int height, int width)
    {
        if (mask.Length != height * width)
            throw new ArgumentException($"RLE: mask has {mask.Length} pixels, expected {height}x{width} = {height * width}");
        var counts = new List<int>();
        bool inside = false;
        int run = 0;
        for (int x = 0; x < width; x++)
        {
            for (int y = 0; y < height; y++)
            {
                if ((mask[y * width + x] != 0) != inside)
                {
                    counts.Add(run);
                    inside = !inside;
                    run = 0;
                }
                run++;
            }
        }
        counts.Add(run);
        return counts.ToArray();
    }
}
