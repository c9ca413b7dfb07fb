using SkiaSharp;

namespace PetSeg.Detection;

/// <summary>
/// A small bitmap font of our own for the characters detection labels use (COCO names, "N/A", scores): drawn with
/// rectangles, so labels appear on a machine with no font installed, where Skia's typeface is empty and draws nothing.
/// Each glyph is 5 x 8 cells (rows 0-6 above the baseline, row 7 for descenders), one pixel apart, scaled by an integer.
/// </summary>
internal static class BitmapGlyphs
{
    public const int Columns = 5, Rows = 8, Advance = Columns + 1;

    /// <summary>Each glyph's rows from the top, '#' = ink.</summary>
    private static readonly Dictionary<char, string[]> Shapes = new Dictionary<char, string>
    {
        ['a'] = "..... ..... .###. ....# .#### #...# .#### .....",
        ['b'] = "#.... #.... ####. #...# #...# #...# ####. .....",
        ['c'] = "..... ..... .#### #.... #.... #.... .#### .....",
        ['d'] = "....# ....# .#### #...# #...# #...# .#### .....",
        ['e'] = "..... ..... .###. #...# ##### #.... .#### .....",
        ['f'] = "..##. .#... ####. .#... .#... .#... .#... .....",
        ['g'] = "..... ..... .#### #...# #...# .#### ....# .###.",
        ['h'] = "#.... #.... ####. #...# #...# #...# #...# .....",
        ['i'] = "..#.. ..... .##.. ..#.. ..#.. ..#.. .###. .....",
        ['j'] = "...#. ..... ..##. ...#. ...#. ...#. #..#. .##..",
        ['k'] = "#.... #.... #..#. #.#.. ##... #.#.. #..#. .....",
        ['l'] = ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###. .....",
        ['m'] = "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.# .....",
        ['n'] = "..... ..... ####. #...# #...# #...# #...# .....",
        ['o'] = "..... ..... .###. #...# #...# #...# .###. .....",
        ['p'] = "..... ..... ####. #...# #...# ####. #.... #....",
        ['q'] = "..... ..... .#### #...# #...# .#### ....# ....#",
        ['r'] = "..... ..... #.##. ##..# #.... #.... #.... .....",
        ['s'] = "..... ..... .#### #.... .###. ....# ####. .....",
        ['t'] = ".#... .#... ####. .#... .#... .#..# ..##. .....",
        ['u'] = "..... ..... #...# #...# #...# #..## .##.# .....",
        ['v'] = "..... ..... #...# #...# #...# .#.#. ..#.. .....",
        ['w'] = "..... ..... #...# #...# #.#.# #.#.# .#.#. .....",
        ['x'] = "..... ..... #...# .#.#. ..#.. .#.#. #...# .....",
        ['y'] = "..... ..... #...# #...# #...# .#### ....# .###.",
        ['z'] = "..... ..... ##### ...#. ..#.. .#... ##### .....",
        ['0'] = ".###. #...# #..## #.#.# ##..# #...# .###. .....",
        ['1'] = "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###. .....",
        ['2'] = ".###. #...# ....# ...#. ..#.. .#... ##### .....",
        ['3'] = "####. ....# ....# .###. ....# ....# ####. .....",
        ['4'] = "...#. ..##. .#.#. #..#. ##### ...#. ...#. .....",
        ['5'] = "##### #.... ####. ....# ....# #...# .###. .....",
        ['6'] = "..##. .#... #.... ####. #...# #...# .###. .....",
        ['7'] = "##### ....# ...#. ..#.. .#... .#... .#... .....",
        ['8'] = ".###. #...# #...# .###. #...# #...# .###. .....",
        ['9'] = ".###. #...# #...# .#### ....# ...#. .##.. .....",
        ['.'] = "..... ..... ..... ..... ..... .##.. .##.. .....",
        [' '] = "..... ..... ..... ..... ..... ..... ..... .....",
        ['/'] = "..... ....# ...#. ..#.. .#... #.... ..... .....",
        ['N'] = "#...# ##..# #.#.# #..## #...# #...# #...# .....",
        ['A'] = ".###. #...# #...# ##### #...# #...# #...# .....",
    }.ToDictionary(glyph => glyph.Key, glyph => glyph.Value.Split(' '));

    /// <summary>Whether every character of <paramref name="text"/> has a glyph.</summary>
    public static bool Covers(string text) => text.All(Shapes.ContainsKey);

    /// <summary>The width of <paramref name="text"/> in pixels at <paramref name="scale"/>, without the gap after the last glyph.</summary>
    public static int Width(string text, int scale) => Math.Max(0, text.Length * Advance - 1) * scale;

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (<paramref name="left"/>, <paramref name="top"/>).</summary>
    public static void Draw(SKCanvas canvas, string text, float left, float top, int scale, SKPaint paint)
    {
        for (int i = 0; i < text.Length; i++)
        {
            var rows = Shapes.TryGetValue(text[i], out var shape)
                ? shape
                : throw new ArgumentException($"label text '{text}': no bitmap glyph for '{text[i]}'");
            float x0 = left + i * Advance * scale;
            for (int r = 0; r < Rows; r++)
                for (int c = 0; c < Columns; c++)
                    if (rows[r][c] == '#') canvas.DrawRect(x0 + c * scale, top + r * scale, scale, scale, paint);
        }
    }
}
