using System.Text;
using System.Text.RegularExpressions;

namespace NeuralCore.Layers.Import;

/// <summary>
/// Writes a file so that a crash mid-write never destroys an existing file: the content goes to a temporary
/// file in the same folder (same volume, so the final move is a rename), is flushed to disk, then replaces the target.
/// A reader therefore sees the old file or the new one, complete, never a part of either.
/// </summary>
public static class AtomicFile
{
    private static readonly Regex TemporaryName = new(@"^\..+\.[0-9a-f]{32}\.tmp$");

    /// <summary>
    /// Whether <paramref name="fileName"/> is one of the temporary files (<c>.NAME.GUID.tmp</c>, beside the target)
    /// that a writer killed mid-write leaves behind; whoever owns the folder may delete them.
    /// </summary>
    public static bool IsTemporary(string fileName) => TemporaryName.IsMatch(fileName);

    /// <summary>Writes <paramref name="path"/> with what <paramref name="writeContent"/> puts into the stream.</summary>
    public static void Write(string path, Action<Stream> writeContent)
    {
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath) ?? ".";
        var tempPath = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(tempPath);
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>.</summary>
    public static void WriteAllBytes(string path, ReadOnlyMemory<byte> bytes) => Write(path, stream => stream.Write(bytes.Span));

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) to <paramref name="path"/>.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));

    /// <summary>Copies <paramref name="source"/> to <paramref name="path"/>.</summary>
    public static void Copy(string source, string path) => Write(path, stream =>
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        input.CopyTo(stream);
    });
}
