using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Spectre.Console;

namespace PetSeg.Cli;

/// <summary>
/// The <c>petseg</c> command line. Conventions: GNU long options, <c>--help</c> on every command, exit code 0 on
/// success, otherwise one line <c>petseg: &lt;reason&gt;</c> on stderr (the stack trace too with <c>--verbose</c>).
/// </summary>
public static class PetSegCli
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;

    /// <summary>Ctrl+C: the run saved a resumable checkpoint and stopped (128 + SIGINT, as shells report it).</summary>
    public const int ExitInterrupted = 130;

    /// <summary>Runs one command line in-process, writing to <paramref name="stdout"/> and <paramref name="stderr"/>.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var verbose = new Option<bool>("--verbose") { Description = "Print the stack trace of an error", Recursive = true };
        var io = new CliIO(stdout, stderr);
        // A plain command named petseg rather than RootCommand, whose name is the host process (testhost in tests).
        var root = new Command("petseg", "Trains and runs U-Net segmentation models on NeuralCore (Oxford-IIIT Pet, clothing); detects COCO instances with Mask R-CNN")
        {
            new HelpOption(),
            new VersionOption(),
            verbose,
            TrainCommand.Create(io),
            EvalCommand.Create(io),
            PredictCommand.Create(io),
            SynthCommand.Create(io),
            WeightsCommand.Create(io),
            ForwardCommand.Create(io),
            GradCommand.Create(io),
            DevicesCommand.Create(io),
            ExportCommand.Create(io),
            DetectCommand.Create(io),
        };

        try
        {
            var parse = root.Parse(args);
            if (parse.Action is ParseErrorAction)
            {
                var command = string.Join(' ', CommandPath(parse));
                stderr.WriteLine($"petseg: {OneLine(string.Join("\n", parse.Errors.Select(e => e.Message)))} (see '{command} --help')");
                return ExitFailure;
            }
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            bool verboseGiven = args.Contains("--verbose");
            stderr.WriteLine($"petseg: {OneLine(e.Message, verboseGiven ? int.MaxValue : MaxDetailLines)}");
            if (verboseGiven) stderr.WriteLine(e);
            return ExitFailure;
        }
    }

    /// <summary>Detail lines an error shows without <c>--verbose</c> (a wrong-model checkpoint lists hundreds).</summary>
    public const int MaxDetailLines = 5;

    /// <summary>
    /// Multi-line messages (a weight import lists every problem) become one line, so the reason stays greppable: the
    /// first line (which carries the counts) and at most <paramref name="maxDetails"/> detail lines, then how many more.
    /// </summary>
    internal static string OneLine(string message, int maxDetails = int.MaxValue)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int hidden = lines.Length - 1 - maxDetails;
        return hidden <= 0
            ? string.Join("; ", lines)
            : string.Join("; ", lines.Take(1 + maxDetails)) + $"; ... and {hidden} more (--verbose lists them all)";
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new Stack<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            names.Push(result.Command.Name);
        return names;
    }
}

/// <summary>Where commands write: the process' streams, or a test's writers.</summary>
public sealed record CliIO(TextWriter Out, TextWriter Err)
{
    /// <summary>A problem that did not stop the command, on stderr: <c>petseg: warning: ...</c>.</summary>
    public void Warn(string message) => Err.WriteLine($"petseg: warning: {PetSegCli.OneLine(message)}");

    /// <summary>Whether <see cref="Out"/> is an interactive terminal (live progress bars) rather than a log or a test.</summary>
    public bool IsTerminal => ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>A Spectre console on <see cref="Out"/>: colours on a terminal, plain text (wide, no wrapping) otherwise.</summary>
    public IAnsiConsole Ansi()
    {
        var terminal = IsTerminal;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = 240;
        return console;
    }
}
