using System.Diagnostics;
using System.Reflection;
using PetSeg.Cli;
using PetSeg.Tests.Data;

namespace PetSeg.Tests.Packaging;

/// <summary>
/// The shipped form of the CLI: <c>dotnet pack</c> makes a .NET tool package that <c>dotnet tool install</c> puts
/// into a tool folder as a working <c>petseg</c>. Packs the build under test (no rebuild) into a temporary folder,
/// installs from that folder alone (a private nuget.config and package cache: no network, no stale cached copy of
/// the same version), and runs the installed command. 18-25 s here, most of it <c>dotnet pack</c>; filter it out
/// with <c>--filter "Category!=Packaging"</c>.
/// </summary>
[Trait("Category", "Packaging")]
public class ToolInstallTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public void PackedToolInstallsIntoAToolPathAndRuns()
    {
        var assembly = typeof(PetSegCli).Assembly;
        string configuration = assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        // "0.1.0+<commit>": the package version is the part before '+'; --version prints the whole.
        string informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        string version = informational.Split('+')[0];
        using var temp = new TempFolder();
        string artifacts = temp.Combine("artifacts"), tools = temp.Combine("tools"), config = temp.Combine("nuget.config");

        Run("dotnet", ["pack", Path.Combine(RepositoryRoot(), "src", "PetSeg", "PetSeg.csproj"), "-c", configuration,
            "--no-build", "-o", artifacts, "-nodeReuse:false"], temp.Path);
        Assert.True(File.Exists(Path.Combine(artifacts, $"petseg.{version}.nupkg")), $"dotnet pack made no petseg.{version}.nupkg in {artifacts}");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="artifacts" value="{artifacts}" /></packageSources></configuration>
            """);
        Run("dotnet", ["tool", "install", "petseg", "--tool-path", tools, "--configfile", config, "--version", version], temp.Path,
            ("NUGET_PACKAGES", temp.Combine("packages")));

        string petseg = Path.Combine(tools, OperatingSystem.IsWindows() ? "petseg.exe" : "petseg");
        Assert.Equal(informational, Run(petseg, ["--version"], temp.Path).Trim());
        string help = Run(petseg, ["--help"], temp.Path);
        Assert.Contains("petseg [command] [options]", help);
        foreach (var command in new[] { "train", "eval", "predict", "synth", "weights", "devices" })
            Assert.Contains($"\n  {command} ", help);
        Assert.Contains("--count", Run(petseg, ["synth", "--help"], temp.Path));
        // The installed tool carries ILGPU: it lists the CPU, the CUDA GPUs or why there are none, and the emulator.
        string devices = Run(petseg, ["devices"], temp.Path);
        Assert.StartsWith("cpu ", devices);
        Assert.Contains("\nemulated ", devices);
    }

    /// <summary>The folder holding NeuralCore.sln, above the test assembly.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NeuralCore.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no NeuralCore.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>Runs a command to completion and returns its standard output; fails with both streams otherwise.</summary>
    private static string Run(string file, string[] args, string workingDirectory, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // MSBuild nodes left running after `dotnet pack` would inherit our pipes and keep them open.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        string command = $"{file} {string.Join(' ', args)}";
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{command}' did not finish within {Timeout.TotalMinutes} minutes");
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"'{command}' exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }
}
