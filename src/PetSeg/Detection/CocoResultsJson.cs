using System.Text.Json;

namespace PetSeg.Detection;

/// <summary>One entry of a COCO results file: the image's file name, category, box [x, y, width, height], score and RLE mask.</summary>
public sealed record CocoResult(string Image, int CategoryId, string Category, float[] Bbox, float Score, int Height, int Width, int[] Counts)
{
    public static CocoResult From(string image, DetectedObject o, int height, int width) => new(image, o.CategoryId, o.Category,
        [o.X1, o.Y1, o.X2 - o.X1, o.Y2 - o.Y1], o.Score, height, width, CocoRle.Encode(o.Mask, height, width));
}

/// <summary>
/// Writes detections in the COCO results format: a JSON list of
/// <c>{"image", "category_id", "category", "bbox", "score", "segmentation": {"size": [h, w], "counts": [...]}}</c>.
/// </summary>
public static class CocoResultsJson
{
    public static void Write(Stream stream, IEnumerable<CocoResult> results)
    {
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartArray();
        foreach (var r in results)
        {
            json.WriteStartObject();
            json.WriteString("image", r.Image);
            json.WriteNumber("category_id", r.CategoryId);
            json.WriteString("category", r.Category);
            json.WriteStartArray("bbox");
            foreach (var v in r.Bbox) json.WriteNumberValue(v);
            json.WriteEndArray();
            json.WriteNumber("score", r.Score);
            json.WriteStartObject("segmentation");
            json.WriteStartArray("size");
            json.WriteNumberValue(r.Height);
            json.WriteNumberValue(r.Width);
            json.WriteEndArray();
            json.WriteStartArray("counts");
            foreach (var c in r.Counts) json.WriteNumberValue(c);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
