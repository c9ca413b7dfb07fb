namespace NeuralCore.Layers.Models.MaskRcnn;

/// <summary>
/// torchvision's AnchorGenerator with one size per pyramid level: per level, base anchors for each aspect ratio r
/// (width size/sqrt(r), height size·sqrt(r), centred on 0, rounded half to even), shifted to every cell
/// (y·strideH, x·strideW); anchors ordered by cell (rows, then columns), then ratio.
/// </summary>
public sealed record AnchorGrid(IReadOnlyList<float> Sizes, IReadOnlyList<float> AspectRatios)
{
    /// <summary>maskrcnn_resnet50_fpn: sizes 32 to 512 on P2..P6, ratios 0.5, 1, 2.</summary>
    public static AnchorGrid Default => new([32, 64, 128, 256, 512], [0.5f, 1f, 2f]);

    public int PerCell => AspectRatios.Count;

    /// <summary>The anchors [gridH · gridW · PerCell, 4] of level <paramref name="level"/> as (x1, y1, x2, y2) rows.</summary>
    public float[] Level(int level, int gridH, int gridW, int strideH, int strideW)
    {
        var cell = new float[PerCell * 4];
        for (int a = 0; a < PerCell; a++)
        {
            float hRatio = MathF.Sqrt(AspectRatios[a]), wRatio = 1 / hRatio;
            float ws = wRatio * Sizes[level], hs = hRatio * Sizes[level];
            (cell[a * 4], cell[a * 4 + 1], cell[a * 4 + 2], cell[a * 4 + 3]) =
                (MathF.Round(-ws / 2), MathF.Round(-hs / 2), MathF.Round(ws / 2), MathF.Round(hs / 2));
        }
        var anchors = new float[gridH * gridW * cell.Length];
        for (int y = 0, i = 0; y < gridH; y++)
            for (int x = 0; x < gridW; x++)
                for (int k = 0; k < cell.Length; k++, i++)
                    anchors[i] = cell[k] + (k % 2 == 0 ? x * strideW : y * strideH);
        return anchors;
    }
}
