using System.Diagnostics;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// A silo or gateway run as users run it: the built host in its own process, configured only by
/// environment variables. Killed (with its children) on dispose, so a failing test leaves nothing behind.
/// </summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly List<long> _outputTimes = [];
    private readonly List<string> _errors = [];
    private string? _ownStateDirectory;

    private NodeProcess(Process process)
    {
        _process = process;
    }

    public string Name { get; private init; } = "";

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> Output
    {
        get { lock (_output) return [.. _output]; }
    }

    public IReadOnlyList<string> Errors
    {
        get { lock (_errors) return [.. _errors]; }
    }

    public static NodeProcess Start(string name, string assembly, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [assembly])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        // Only what the test says: nothing from the developer's shell leaks into the node.
        foreach (string key in new[] { "REDIS_CONNECTION", "HOST", "PORT", "GATEWAY_ID", "LOG_LEVEL", "ASPNETCORE_URLS", "DOTNET_URLS", "STATE_DIR" })
        {
            start.Environment.Remove(key);
        }
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        // Saved clients only where the test says (a restart test shares one directory between the processes it restarts): never another test's.
        string? ownState = null;
        if (!environment.ContainsKey("STATE_DIR")) start.Environment["STATE_DIR"] = ownState = Directory.CreateTempSubdirectory("tixtrigger-state-").FullName;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new NodeProcess(process) { Name = name, _ownStateDirectory = ownState };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (node._output)
            {
                node._output.Add(e.Data);
                node._outputTimes.Add(Stopwatch.GetTimestamp());
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (node._errors) node._errors.Add(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    public async Task<bool> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        bool ended = await Eventually.True(() => Output.Any(line => line.Contains(text, StringComparison.Ordinal)) || HasExited, timeout);
        // An exited process's last lines can still be in the pipes: read them to the end before judging or describing it.
        if (ended && HasExited) _process.WaitForExit();
        return ended && Output.Any(line => line.Contains(text, StringComparison.Ordinal));
    }

    /// <summary>When (a <see cref="Stopwatch"/> timestamp) the first line containing <paramref name="text"/> was read, waiting up to <paramref name="timeout"/>; null if none came.</summary>
    public async Task<long?> WhenOutputAsync(string text, TimeSpan timeout)
    {
        if (!await WaitForOutputAsync(text, timeout)) return null;
        lock (_output)
        {
            int line = _output.FindIndex(l => l.Contains(text, StringComparison.Ordinal));
            return line < 0 ? null : _outputTimes[line];
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as a deployment stops a node, and waits for it to exit; returns how long that took.</summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan limit)
    {
        var stopwatch = Stopwatch.StartNew();
        Signal("TERM");
        await WaitForExitAsync(limit);
        return stopwatch.Elapsed;
    }

    /// <summary>Sends a signal by name (TERM, STOP, CONT): a stall is SIGSTOP, then SIGCONT.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", [$"-{name}", _process.Id.ToString()]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: what a crash or an OOM kill does.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public string Describe() => $"{Name} (pid {_process.Id}):\n{string.Join('\n', Output.TakeLast(40))}\n{string.Join('\n', Errors.TakeLast(20))}";

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        if (_ownStateDirectory is not null)
        {
            try
            {
                Directory.Delete(_ownStateDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
