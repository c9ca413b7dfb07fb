using System.IO.Compression;
using System.Text;
using PetSeg.Codecs;

namespace PetSeg.Tests.Codecs;

/// <summary>
/// Access to the files made by Fixtures/codecs/make_fixtures.py: the encoded images and their reference decodes
/// (gzipped PNM: P5 gray, P6 RGB, P7 RGBA), read here without the decoders under test.
/// </summary>
internal static class CodecFixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "codecs", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

    public static Image8 Reference(string name)
    {
        using var gz = new GZipStream(File.OpenRead(Path(name + ".ref.pnm.gz")), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gz.CopyTo(memory);
        return ParsePnm(memory.ToArray());
    }

    private static Image8 ParsePnm(byte[] data)
    {
        int position = 0;
        string magic = Token(data, ref position);
        int width, height, channels;
        if (magic == "P7")
        {
            var fields = new Dictionary<string, string>();
            while (true)
            {
                string key = Token(data, ref position);
                if (key == "ENDHDR") break;
                fields[key] = Token(data, ref position);
            }
            (width, height, channels) = (int.Parse(fields["WIDTH"]), int.Parse(fields["HEIGHT"]), int.Parse(fields["DEPTH"]));
        }
        else
        {
            width = int.Parse(Token(data, ref position));
            height = int.Parse(Token(data, ref position));
            Token(data, ref position); // maxval 255
            channels = magic == "P5" ? 1 : 3;
        }
        position++; // the single whitespace byte before the pixels
        return new Image8(width, height, channels, data.AsSpan(position, width * height * channels).ToArray());
    }

    private static string Token(byte[] data, ref int position)
    {
        while (char.IsWhiteSpace((char)data[position])) position++;
        int start = position;
        while (!char.IsWhiteSpace((char)data[position])) position++;
        return Encoding.ASCII.GetString(data, start, position - start);
    }

    /// <summary>Largest and mean absolute per-sample difference of two images of the same shape.</summary>
    public static (int Max, double Mean) Difference(Image8 expected, Image8 actual)
    {
        Assert.Equal((expected.Width, expected.Height, expected.Channels), (actual.Width, actual.Height, actual.Channels));
        int max = 0;
        long sum = 0;
        for (int i = 0; i < expected.Pixels.Length; i++)
        {
            int d = Math.Abs(expected.Pixels[i] - actual.Pixels[i]);
            max = Math.Max(max, d);
            sum += d;
        }
        return (max, (double)sum / expected.Pixels.Length);
    }
}
