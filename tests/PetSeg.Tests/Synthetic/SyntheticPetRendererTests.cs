using PetSeg.Data.Synthetic;
using Xunit.Abstractions;

namespace PetSeg.Tests.Synthetic;

public sealed class SyntheticPetRendererTests(RenderedSample sample, ITestOutputHelper output) : IClassFixture<RenderedSample>
{
    [Fact]
    public void SameSeedAndIndexGiveIdenticalBytes()
    {
        var a = new SyntheticPetRenderer().Render(5, 77);
        var b = new SyntheticPetRenderer().Render(5, 77);
        Assert.Equal(a.Name, b.Name);
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        Assert.Equal(a.Rgb, b.Rgb);
        Assert.Equal(a.Trimap, b.Trimap);
    }

    [Fact]
    public void RenderDoesNotDependOnWhatWasRenderedBefore()
    {
        var renderer = new SyntheticPetRenderer();
        var first = renderer.Render(3, 77);
        renderer.Render(4, 77);
        renderer.Render(0, 12);
        Assert.Equal(first.Rgb, renderer.Render(3, 77).Rgb);
    }

    [Fact]
    public void DifferentIndexOrSeedGivesDifferentImages()
    {
        var renderer = new SyntheticPetRenderer();
        var a = renderer.Render(5, 77);
        var b = renderer.Render(6, 77);
        var c = renderer.Render(5, 78);
        Assert.False(a.Rgb.AsSpan().SequenceEqual(b.Rgb));
        Assert.False(a.Rgb.AsSpan().SequenceEqual(c.Rgb));
    }

    [Fact]
    public void SizesAndBuffersMatchTheContract()
    {
        foreach (var pet in sample.Pets)
        {
            Assert.InRange(pet.Width, SyntheticPetRenderer.MinSide, SyntheticPetRenderer.MaxSide);
            Assert.InRange(pet.Height, SyntheticPetRenderer.MinSide, SyntheticPetRenderer.MaxSide);
            Assert.InRange((float)pet.Width / pet.Height, SyntheticPetRenderer.MinAspect, SyntheticPetRenderer.MaxAspect);
            Assert.Equal(pet.Width * pet.Height * 3, pet.Rgb.Length);
            Assert.Equal(pet.Width * pet.Height, pet.Trimap.Length);
        }
        Assert.True(sample.Pets.Select(p => (p.Width, p.Height)).Distinct().Count() > sample.Pets.Count / 2, "sizes should vary");
    }

    [Fact]
    public void NameClassAndSpeciesAgreeWithTheBreedTable()
    {
        for (int i = 0; i < sample.Pets.Count; i++)
        {
            SyntheticPet pet = sample.Pets[i];
            PetBreed breed = PetBreeds.ByClassId(pet.ClassId);
            Assert.Equal($"{breed.Name}_{i + 1}", pet.Name);
            Assert.Equal(breed.Species, pet.Species);
            Assert.Equal(breed, SyntheticPetRenderer.BreedOf(i, RenderedSample.Seed));
            Assert.Equal(pet.Species == 1, char.IsUpper(pet.Name[0]));
        }
    }

    [Fact]
    public void TrimapHoldsOnlyOxfordValuesAndEveryClassInEveryImage()
    {
        foreach (var pet in sample.Pets)
        {
            int bad = Array.FindIndex(pet.Trimap, t => t is < 1 or > 3);
            Assert.True(bad < 0, $"{pet.Name}: trimap value {(bad < 0 ? 0 : pet.Trimap[bad])} at pixel {bad}");
            foreach (byte label in new[] { SyntheticPet.Pet, SyntheticPet.Background, SyntheticPet.Border })
                Assert.True(RenderedSample.Fraction(pet, label) > 0.002, $"{pet.Name}: label {label} (nearly) missing");
        }
    }

    [Fact]
    public void PetCoversASaneShareOfTheImage()
    {
        var pet = sample.Pets.Select(p => RenderedSample.Fraction(p, SyntheticPet.Pet)).ToArray();
        var border = sample.Pets.Select(p => RenderedSample.Fraction(p, SyntheticPet.Border)).ToArray();
        output.WriteLine($"pet fraction mean {pet.Average():F3} min {pet.Min():F3} max {pet.Max():F3}; border mean {border.Average():F3}");
        Assert.InRange(pet.Average(), 0.15, 0.6);
        Assert.InRange(pet.Min(), 0.01, 1.0);
        Assert.InRange(pet.Max(), 0.0, 0.9);
        Assert.InRange(border.Average(), 0.01, 0.08);
    }

    /// <summary>The band straddles the outline: pet never touches background, and the band is as drawn, 4-6 px at a
    /// 250-px image scale (band pixels per band pixel that touches the background).</summary>
    [Fact]
    public void BorderBandSeparatesPetFromBackgroundAndHasOxfordWidth()
    {
        var widths = new List<double>();
        (int Dx, int Dy)[] neighbours = [(1, 0), (-1, 0), (0, 1), (0, -1)];
        foreach (var pet in sample.Pets)
        {
            int w = pet.Width, h = pet.Height, band = 0, outerLayer = 0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    byte t = pet.Trimap[y * w + x];
                    if (t == SyntheticPet.Background) continue;
                    bool touchesBackground = false;
                    foreach (var (dx, dy) in neighbours)
                    {
                        int nx = x + dx, ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                        touchesBackground |= pet.Trimap[ny * w + nx] == SyntheticPet.Background;
                    }
                    if (t == SyntheticPet.Pet && touchesBackground) Assert.Fail($"{pet.Name}: pet pixel ({x}, {y}) touches background");
                    if (t == SyntheticPet.Border)
                    {
                        band++;
                        if (touchesBackground) outerLayer++;
                    }
                }
            double scale = Math.Sqrt(w * h) / 250.0;
            widths.Add(band / (double)outerLayer / scale);
        }
        output.WriteLine($"band width at 250-px scale: mean {widths.Average():F2} min {widths.Min():F2} max {widths.Max():F2}");
        Assert.InRange(widths.Average(), 4.0, 6.5);
        Assert.InRange(widths.Min(), 2.5, 8.0);
        Assert.InRange(widths.Max(), 2.5, 8.0);
    }

    [Fact]
    public void RenderRejectsANegativeIndex() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticPetRenderer().Render(-1, 0));
}
