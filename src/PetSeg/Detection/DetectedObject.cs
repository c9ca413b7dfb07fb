using System.Globalization;

namespace PetSeg.Detection;

/// <summary>
/// One detection in the original image's pixels: box corners (x1, y1) - (x2, y2), COCO category id, score, and the
/// binary mask [height, width] row-major (1 where the model's probability is above <see cref="MaskThreshold"/>).
/// </summary>
public sealed record DetectedObject(float X1, float Y1, float X2, float Y2, int CategoryId, float Score, byte[] Mask)
{
    /// <summary>torchvision's convention for turning the pasted mask probabilities into a mask.</summary>
    public const float MaskThreshold = 0.5f;

    public string Category => CocoCategories.Name(CategoryId);

    /// <summary>"category score", as drawn on the picture.</summary>
    public string Label => $"{Category} {Score.ToString("0.00", CultureInfo.InvariantCulture)}";
}
