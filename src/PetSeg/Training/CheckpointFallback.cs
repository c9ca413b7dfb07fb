namespace PetSeg.Training;

/// <summary>
/// Loads the first readable checkpoint of a list (a run's best then last for eval and predict, last then best for
/// <c>--resume</c>). A damaged file (truncated, not safetensors, not a checkpoint) is reported through a warning and the
/// next one is tried, so one bad file never makes a run unusable. A checkpoint of another model is not damage: that
/// error stands.
/// </summary>
public static class CheckpointFallback
{
    /// <summary>Returns what <paramref name="load"/> makes of the first candidate that loads, and that candidate.</summary>
    /// <param name="warn">Hears one line when a damaged candidate was passed over.</param>
    public static (T Loaded, string Path) LoadFirst<T>(IReadOnlyList<string> candidates, Func<string, T> load, Action<string> warn)
    {
        var problems = new List<string>();
        foreach (var path in candidates)
        {
            try
            {
                var loaded = load(path);
                if (problems.Count > 0) warn($"{string.Join("; ", problems)}; using {path} instead");
                return (loaded, path);
            }
            catch (Exception e) when (IsDamage(e))
            {
                problems.Add($"{path} is damaged ({TrimPath(e.Message, path)})");
            }
        }
        throw new InvalidDataException(candidates.Count == 1 ? problems[0] : $"no readable checkpoint: {string.Join("; ", problems)}");
    }

    /// <summary>Whether reading <paramref name="path"/> as a checkpoint fails for a damaged file (null when it reads).</summary>
    public static string? Damage(string path, Action<string> read)
    {
        try
        {
            read(path);
            return null;
        }
        catch (Exception e) when (IsDamage(e))
        {
            return TrimPath(e.Message, path);
        }
    }

    private static bool IsDamage(Exception e) => e is InvalidDataException or EndOfStreamException;

    /// <summary>The readers' messages start with the path, which the fallback's own text already names.</summary>
    private static string TrimPath(string message, string path) =>
        message.StartsWith(path + ": ", StringComparison.Ordinal) ? message[(path.Length + 2)..] : message;
}
