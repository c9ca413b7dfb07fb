using PetSeg.Codecs;
using PetSeg.Data;

namespace PetSeg.Tests.Data;

/// <summary>Listing the Oxford and clothing layouts: splits, missing files, bad folders.</summary>
public sealed class DatasetReaderTests
{
    [Fact]
    public void SplitListSkipsCommentsAndBlankLinesAndTakesTheFirstToken()
    {
        using var temp = new TempFolder();
        string list = temp.Combine("trainval.txt");
        File.WriteAllText(list, "#Image CLASS-ID SPECIES BREED-ID\n\n  Abyssinian_1 1 1 1\r\n#skip me 1 1 1\nbeagle_10\t2 2 1\n");
        Assert.Equal(["Abyssinian_1", "beagle_10"], OxfordPetDataset.ReadSplitList(list));
    }

    [Fact]
    public void SplitListWithAPathIsRefused()
    {
        using var temp = new TempFolder();
        string list = temp.Combine("test.txt");
        File.WriteAllText(list, "Cat_1 1 1 1\n../etc/passwd 1 1 1\n");
        var e = Assert.Throws<InvalidDataException>(() => OxfordPetDataset.ReadSplitList(list));
        Assert.Contains("test.txt:2", e.Message);
    }

    [Fact]
    public void OxfordListsSplitsAndSkipsMissingFiles()
    {
        using var temp = new TempFolder();
        TinyDatasets.WriteOxford(temp.Path);
        var dataset = OxfordPetDataset.Open(temp.Path);

        Assert.Equal(["Cat_1", "Cat_2", "Cat_3", "dog_1", "dog_3", "dog_4", "dog_5", "Cat_4"], dataset.Samples.Select(s => s.Name));
        Assert.Equal(DatasetSplit.Test, dataset.Samples.Single(s => s.Name == "Cat_4").Split);
        Assert.All(dataset.Samples.Where(s => s.Name != "Cat_4"), s => Assert.Equal(DatasetSplit.Train, s.Split));
        Assert.Equal(2, dataset.Skipped.Count);
        var missingMask = dataset.Skipped.Single(s => s.Name == "dog_2");
        Assert.Equal(SkipReason.MissingMask, missingMask.Reason);
        Assert.EndsWith("dog_2.png", missingMask.File);
        Assert.Equal(SkipReason.MissingImage, dataset.Skipped.Single(s => s.Name == "dog_6").Reason);
        Assert.Equal(new MaskEncoding(1, 3), dataset.Mask);
    }

    [Fact]
    public void MissingFolderOrListIsAnErrorNamingThePath()
    {
        using var temp = new TempFolder();
        string missing = temp.Combine("nowhere");
        var e = Assert.Throws<DirectoryNotFoundException>(() => SegmentationDatasets.Open(DatasetFormat.Oxford, missing));
        Assert.Contains(missing, e.Message);

        TinyDatasets.WriteOxford(temp.Path);
        File.Delete(temp.Combine("annotations", "test.txt"));
        var listError = Assert.Throws<FileNotFoundException>(() => OxfordPetDataset.Open(temp.Path));
        Assert.Contains(temp.Combine("annotations", "test.txt"), listError.Message);

        File.WriteAllText(temp.Combine("annotations", "test.txt"), "# only a comment\n");
        var empty = Assert.Throws<InvalidDataException>(() => OxfordPetDataset.Open(temp.Path));
        Assert.Contains("test.txt", empty.Message);
    }

    [Fact]
    public void ClothingPairsByNumberAndSplitsEightyTwentyBySeed()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.Combine("png_images", "IMAGES"));
        Directory.CreateDirectory(temp.Combine("png_masks", "MASKS"));
        var palette = Enumerable.Range(0, ClothingDataset.ClassCount).Select(i => ((byte)(i * 4), (byte)(255 - i * 4), (byte)i)).ToArray();
        for (int i = 1; i <= 10; i++)
        {
            var labels = Enumerable.Range(0, 6 * 4).Select(p => (byte)((p * i) % ClothingDataset.ClassCount)).ToArray();
            File.WriteAllBytes(temp.Combine("png_images", "IMAGES", $"img_{i:D4}.png"), PngEncoder.Encode(new Image8(6, 4, 3)));
            if (i != 7) File.WriteAllBytes(temp.Combine("png_masks", "MASKS", $"seg_{i:D4}.png"), PetSeg.Tests.Codecs.IndexedPng.Write(6, 4, labels, palette));
        }

        var a = ClothingDataset.Open(temp.Path, splitSeed: 1);
        Assert.Equal(9, a.Samples.Count);
        Assert.Equal("img_0001", a.Samples[0].Name);
        Assert.EndsWith("seg_0001.png", a.Samples[0].MaskPath);
        Assert.Equal(SkipReason.MissingMask, Assert.Single(a.Skipped).Reason);
        Assert.Equal(2, a.Samples.Count(s => s.Split == DatasetSplit.Test)); // ceil(0.2 * 9), as sklearn's test_size
        Assert.Equal(a.Samples, ClothingDataset.Open(temp.Path, splitSeed: 1).Samples);
        var splits = Enumerable.Range(0, 8).Select(seed => string.Join(",",
            ClothingDataset.Open(temp.Path, (ulong)seed).Samples.Where(s => s.Split == DatasetSplit.Test).Select(s => s.Name)));
        Assert.True(splits.Distinct().Count() > 1, "the split seed must change which samples are held out");

        // Palette indices come back as class ids, not as palette colours.
        using var cache = SampleCache.OpenOrBuild(a, new CacheSettings(temp.Combine("cache"), 6, 4));
        Assert.Empty(cache.Skipped);
        Assert.Equal(Enumerable.Range(0, 24).Select(p => (byte)(p % ClothingDataset.ClassCount)), cache.Mask(0).ToArray());
    }

    [Theory]
    [InlineData("oxford", DatasetFormat.Oxford)]
    [InlineData("Clothing", DatasetFormat.Clothing)]
    [InlineData("SYNTHETIC", DatasetFormat.Synthetic)]
    public void FormatNamesParse(string text, DatasetFormat expected) => Assert.Equal(expected, SegmentationDatasets.ParseFormat(text));

    [Fact]
    public void UnknownFormatNameIsRefused() =>
        Assert.Contains("'voc'", Assert.Throws<ArgumentException>(() => SegmentationDatasets.ParseFormat("voc")).Message);
}
