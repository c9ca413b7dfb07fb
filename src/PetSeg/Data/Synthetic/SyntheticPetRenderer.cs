using static PetSeg.Data.Synthetic.LatticeNoise;

namespace PetSeg.Data.Synthetic;

/// <summary>
/// Renders synthetic Oxford-IIIT-style pet photos: a cat or dog of one of the 37 breeds, in a random pose, size and
/// position (sometimes cut by the frame), over a cluttered textured scene, with its trimap. Image i of seed s is a
/// pure function of (s, i): every random choice comes from the SplitMix64 stream keyed by that pair.
/// </summary>
/// <remarks>
/// The outline is anti-aliased analytically from a signed distance field and roughened by fur: a noisy fuzz of the
/// edge and stray strands that cross it. The trimap's border band (3) straddles the smooth outline, so the ambiguous
/// pixels fall inside it. It is 4-6 px wide at a 250-px image scale: about 2-3 px once resized to 128x128, the
/// outline Oxford's trimaps show at that size. (Version 1 drew 2.5-4 px, a 1-2 px band at 128x128 whose IoU
/// nearest-neighbour resizing alone caps far below what a model reaches on the real set.)
/// </remarks>
public sealed class SyntheticPetRenderer
{
    public const int MinSide = 160, MaxSide = 400;
    public const float MinAspect = 0.6f, MaxAspect = 1.7f;

    /// <summary>The breed of image <paramref name="index"/>: the first draw of its stream, so planning a dataset
    /// does not need to render it.</summary>
    public static PetBreed BreedOf(int index, int seed)
    {
        var rng = new SplitMix64(seed, index);
        return DrawBreed(ref rng);
    }

    /// <summary>Oxford-style name: breed plus a number unique in the dataset (index + 1).</summary>
    public static string NameOf(int index, int seed) => $"{BreedOf(index, seed).Name}_{index + 1}";

    private static PetBreed DrawBreed(ref SplitMix64 rng) => PetBreeds.All[rng.NextInt(PetBreeds.All.Count)];

    public SyntheticPet Render(int index, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var rng = new SplitMix64(seed, index);
        PetBreed breed = DrawBreed(ref rng);
        BreedLook look = PetBreeds.LookOf(breed.ClassId);
        var (width, height) = DrawSize(ref rng);
        float imageScale = MathF.Sqrt(width * height) / 250f;

        PetShape shape = PetShapeBuilder.Build(look, ref rng);
        PetPlacement place = Place(shape, width, height, ref rng);
        var coat = new CoatPainter(look, shape, place, imageScale, ref rng);

        float band = rng.Range(4f, 6f) * imageScale;
        float fur = look.FurLength;
        float softness = rng.Range(0.8f, 1.6f) * imageScale;
        float fuzz = MathF.Min(0.45f * band, (0.3f + 0.6f * fur) * imageScale);
        float strandLength = 0.5f * band + 0.8f * fur * imageScale;

        RenderScratch scratch = RenderScratch.ForThisThread();
        float[] distance = scratch.Distance, rgb = scratch.Rgb;
        byte[] nearest = scratch.Nearest;
        shape.Rasterise(place, width, height, marginPx: 0.5f * band + strandLength + 3f * imageScale, distance, nearest,
            scratch.NearestDistance);

        BackgroundPainter.Paint(rgb, scratch.Field, width, height, imageScale, look.Main, ref rng);
        DistractorPainter.Paint(rgb, width, height, imageScale, look.Main, look.Second, ref rng);
        ShadowUnderPet(rgb, width, height, shape, place, distance, imageScale, ref rng);

        uint edgeSeed = rng.NextUInt();
        float fuzzCell = rng.Range(1.2f, 2f) * imageScale;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                float d = distance[i];
                if (d >= PetShape.Far) continue;
                float rough = fuzz * (2f * Value(x / fuzzCell, y / fuzzCell, edgeSeed) - 1f);
                float alpha = SmoothStep(0.5f * softness, -0.5f * softness, d + rough);
                if (alpha <= 0f) continue;
                Blend(rgb, i, coat.At(x + 0.5f, y + 0.5f, nearest[i], d), alpha);
            }
        StrayStrands(rgb, width, height, distance, nearest, coat, fur, strandLength, imageScale, ref rng);

        byte[] bytes = Finish(rgb, width, height, ref rng);
        return new SyntheticPet($"{breed.Name}_{index + 1}", breed.ClassId, breed.Species, width, height, bytes,
            Trimap(distance, width * height, 0.5f * band));
    }

    /// <summary>Width and height each in [160, 400] with aspect ratio (w / h) in [0.6, 1.7].</summary>
    private static (int Width, int Height) DrawSize(ref SplitMix64 rng)
    {
        while (true)
        {
            int w = rng.Range(MinSide, MaxSide + 1), h = rng.Range(MinSide, MaxSide + 1);
            float aspect = (float)w / h;
            if (aspect >= MinAspect && aspect <= MaxAspect) return (w, h);
        }
    }

    /// <summary>Scale, tilt, mirror and position: portraits fill the frame from the shoulders up; whole-body poses
    /// cover half to nearly all of it and may be cut by the frame by up to about a sixth.</summary>
    private static PetPlacement Place(PetShape shape, int width, int height, ref SplitMix64 rng)
    {
        var (minU, minV, maxU, maxV) = shape.Bounds();
        bool mirror = rng.Chance(0.5f);
        if (shape.Pose == PetPose.Portrait)
        {
            float headRadius = MathF.Abs(minV) * 0.55f;
            float scale = rng.Range(0.15f, 0.26f) * MathF.Min(width, height) / headRadius;
            return new PetPlacement(width * rng.Range(0.35f, 0.65f), height * rng.Range(0.3f, 0.5f), scale, rng.Range(-0.25f, 0.25f), mirror);
        }
        float bw = maxU - minU, bh = maxV - minV;
        float fill = rng.Range(0.5f, 0.95f);
        float s = fill * MathF.Min(width / bw, height / bh);
        float slackX = MathF.Max(0f, 0.5f * (width - bw * s)) + 0.15f * bw * s;
        float slackY = MathF.Max(0f, 0.5f * (height - bh * s)) + 0.15f * bh * s;
        float tx = 0.5f * width + rng.Range(-1f, 1f) * slackX, ty = 0.5f * height + rng.Range(-1f, 1f) * slackY;
        float tilt = rng.Range(-0.25f, 0.25f);
        var (cx, cy) = new PetPlacement(0f, 0f, s, tilt, mirror).ToPixel(0.5f * (minU + maxU), 0.5f * (minV + maxV));
        return new PetPlacement(tx - cx, ty - cy, s, tilt, mirror);
    }

    /// <summary>Contact shadow on the ground under the paws plus soft occlusion hugging the outline: both darken the
    /// background right where the pet's own edge is, as in real photos.</summary>
    private static void ShadowUnderPet(float[] rgb, int width, int height, PetShape shape, in PetPlacement place,
        float[] distance, float imageScale, ref SplitMix64 rng)
    {
        float hug = rng.Range(0.1f, 0.3f), hugReach = rng.Range(1.5f, 3f) * imageScale;
        float ground = shape.Pose == PetPose.Portrait ? 0f : rng.Range(0.2f, 0.45f);
        var (gx, gy) = place.ToPixel(0f, shape.GroundV);
        float grx = 1.3f * shape.BodyHalfLength * place.Scale, gry = 0.12f * place.Scale;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                float d = distance[i];
                float fade = MathF.Max(0f, 1f - d / hugReach);
                float dark = d > 0f ? hug * fade * fade : 0f;
                if (ground > 0f)
                {
                    float ex = (x - gx) / grx, ey = (y - gy) / gry;
                    dark = MathF.Max(dark, ground * SmoothStep(1f, 0.2f, MathF.Sqrt(ex * ex + ey * ey)));
                }
                if (dark <= 0f) continue;
                float keep = 1f - dark;
                rgb[i * 3] *= keep; rgb[i * 3 + 1] *= keep; rgb[i * 3 + 2] *= keep;
            }
    }

    /// <summary>Thin hairs rooted just inside the outline and pointing roughly outwards: they make the exact edge
    /// ambiguous, which is what the trimap's border class stands for.</summary>
    private static void StrayStrands(float[] rgb, int width, int height, float[] distance, byte[] nearest, CoatPainter coat,
        float fur, float length, float imageScale, ref SplitMix64 rng)
    {
        var outline = new List<int>();
        for (int y = 1; y < height - 1; y++)
            for (int x = 1; x < width - 1; x++)
                if (MathF.Abs(distance[y * width + x]) < 0.6f) outline.Add(y * width + x);
        int count = (int)(outline.Count * 0.25f * MathF.Min(fur, 2f));
        for (int n = 0; n < count; n++)
        {
            int root = outline[rng.NextInt(outline.Count)];
            int rx = root % width, ry = root / width;
            float nx = distance[root + 1] - distance[root - 1], ny = distance[root + width] - distance[root - width];
            float norm = MathF.Sqrt(nx * nx + ny * ny);
            if (norm < 1e-3f || nx * nx + ny * ny > 1e6f) continue;
            float turn = rng.Range(-0.7f, 0.7f), c = MathF.Cos(turn), s = MathF.Sin(turn);
            float dx = (nx * c - ny * s) / norm, dy = (nx * s + ny * c) / norm;
            float inset = rng.Range(0.5f, 2f) * imageScale, len = length * rng.Range(0.6f, 1.3f);
            float x0 = rx + 0.5f - dx * inset, y0 = ry + 0.5f - dy * inset;
            Colour colour = coat.At(x0, y0, nearest[root], -inset) * rng.Range(0.85f, 1.15f);
            DrawStrand(rgb, width, height, x0, y0, x0 + dx * len, y0 + dy * len, rng.Range(0.5f, 0.9f) * imageScale,
                rng.Range(0.5f, 0.9f), colour);
        }
    }

    private static void DrawStrand(float[] rgb, int width, int height, float x0, float y0, float x1, float y1, float thickness,
        float opacity, Colour colour)
    {
        int minX = Math.Max(0, (int)MathF.Min(x0, x1) - 2), maxX = Math.Min(width, (int)MathF.Max(x0, x1) + 3);
        int minY = Math.Max(0, (int)MathF.Min(y0, y1) - 2), maxY = Math.Min(height, (int)MathF.Max(y0, y1) + 3);
        float bx = x1 - x0, by = y1 - y0, bb = bx * bx + by * by;
        for (int y = minY; y < maxY; y++)
            for (int x = minX; x < maxX; x++)
            {
                float px = x + 0.5f - x0, py = y + 0.5f - y0;
                float h = Math.Clamp((px * bx + py * by) / bb, 0f, 1f);
                float ex = px - bx * h, ey = py - by * h;
                float cover = Math.Clamp(0.5f * thickness + 0.5f - MathF.Sqrt(ex * ex + ey * ey), 0f, 1f) * opacity * (1f - 0.7f * h);
                if (cover > 0f) Blend(rgb, y * width + x, colour, cover);
            }
    }

    private static void Blend(float[] rgb, int pixel, Colour c, float alpha)
    {
        int i = pixel * 3;
        rgb[i] += (c.R - rgb[i]) * alpha;
        rgb[i + 1] += (c.G - rgb[i + 1]) * alpha;
        rgb[i + 2] += (c.B - rgb[i + 2]) * alpha;
    }

    /// <summary>Camera effects (uneven light, white balance, sensor noise) and quantisation to bytes.</summary>
    private static byte[] Finish(float[] rgb, int width, int height, ref SplitMix64 rng)
    {
        float lightAngle = rng.Range(0f, MathF.Tau), lightAmount = rng.Range(0f, 0.25f);
        float lx = MathF.Cos(lightAngle) * lightAmount / width, ly = MathF.Sin(lightAngle) * lightAmount / height;
        float tr = rng.Range(0.93f, 1.07f), tg = rng.Range(0.95f, 1.05f), tb = rng.Range(0.93f, 1.07f);
        float noise = rng.Range(1.5f, 7f);
        uint seed = rng.NextUInt();
        var bytes = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float light = 1f + (x - 0.5f * width) * lx + (y - 0.5f * height) * ly;
                int i = (y * width + x) * 3;
                uint h = Hash(x, y, seed);  // one hash, three 10-bit noise samples
                bytes[i] = Quantise(rgb[i] * light * tr + noise * ((h & 1023) * (2f / 1023f) - 1f));
                bytes[i + 1] = Quantise(rgb[i + 1] * light * tg + noise * (((h >> 10) & 1023) * (2f / 1023f) - 1f));
                bytes[i + 2] = Quantise(rgb[i + 2] * light * tb + noise * (((h >> 20) & 1023) * (2f / 1023f) - 1f));
            }
        return bytes;
    }

    private static byte Quantise(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);

    private static byte[] Trimap(float[] distance, int pixels, float halfBand)
    {
        var trimap = new byte[pixels];
        for (int i = 0; i < pixels; i++)
        {
            float d = distance[i];
            trimap[i] = d < -halfBand ? SyntheticPet.Pet : d <= halfBand ? SyntheticPet.Border : SyntheticPet.Background;
        }
        return trimap;
    }
}
