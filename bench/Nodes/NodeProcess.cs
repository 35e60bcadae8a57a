using System.Diagnostics;
using TixTrigger.Bench.Native;

namespace TixTrigger.Bench.Nodes;

/// <summary>
/// One running node: its output goes to its own log file as it comes (and the last lines are
/// kept for error messages); it is ready when it prints its ready line. Stopping asks with SIGTERM
/// and kills after a grace period; disposing kills whatever still runs.
/// </summary>
internal sealed class NodeProcess(NodeSpec spec, Process process, string logPath, StreamWriter log) : IDisposable
{
    private const int TailLines = 40;

    private readonly Process _process = process;
    private readonly StreamWriter _log = log;
    private readonly Queue<string> _tail = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NodeSpec Spec { get; } = spec;

    public string Name => Spec.Name;

    public int Id => _process.Id;

    public string LogPath { get; } = logPath;

    public bool HasExited => _process.HasExited;

    public static async Task<NodeProcess> StartAsync(NodeSpec spec, string logDirectory)
    {
        // The log first: once the process runs, nothing may fail before this object owns it.
        string logPath = Path.Combine(logDirectory, $"{spec.Name}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        Process process;
        try
        {
            process = await NodeLauncher.StartAsync(spec);
        }
        catch
        {
            log.Dispose();
            throw;
        }
        var node = new NodeProcess(spec, process, logPath, log);
        process.OutputDataReceived += (_, line) => node.Take(line.Data);
        process.ErrorDataReceived += (_, line) => node.Take(line.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => node._ready.TrySetException(new CannotMeasureException($"{spec.Name} exited (code {process.ExitCode}) before it was ready; {node.Describe()}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    public async Task WaitReadyAsync(TimeSpan limit, CancellationToken cancellation)
    {
        try
        {
            await _ready.Task.WaitAsync(limit, cancellation);
        }
        catch (TimeoutException)
        {
            throw new CannotMeasureException($"{Name} did not print '{Spec.ReadyText}' within {limit.TotalSeconds:F0} s; {Describe()}");
        }
    }

    /// <summary>The last lines it printed that contain <paramref name="text"/>.</summary>
    public string? LastLineWith(string text)
    {
        lock (_tail) return _tail.LastOrDefault(line => line.Contains(text, StringComparison.Ordinal));
    }

    /// <summary>SIGTERM, then SIGKILL if it is still there after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return;
        Libc.kill(_process.Id, Libc.SigTerm);
        using var wait = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public string Describe()
    {
        lock (_tail) return $"log {LogPath}, last lines:\n    {string.Join("\n    ", _tail.TakeLast(12))}";
    }

    private void Take(string? line)
    {
        if (line is null) return;
        lock (_tail)
        {
            _log.WriteLine(line);
            _tail.Enqueue(line);
            if (_tail.Count > TailLines) _tail.Dequeue();
        }
        if (line.Contains(Spec.ReadyText, StringComparison.Ordinal)) _ready.TrySetResult();
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            // Also drains the redirected output into the log.
            _process.WaitForExit(5_000);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        lock (_tail) _log.Dispose();
    }
}
