using System.Diagnostics;
using System.Text.Json;
using TixTrigger.Bench.Protocol;
using TixTrigger.Bench.Worker;

namespace TixTrigger.Bench.Coordination;

/// <summary>One worker child: its assignment goes in on stdin, "ready" and the summary come back on stdout.</summary>
internal sealed class WorkerProcess(Process process, int index) : IDisposable
{
    private readonly Process _process = process;

    public static WorkerProcess Start(WorkerAssignment assignment)
    {
        var process = Process.Start(WorkerCommand.Create()) ?? throw new CannotMeasureException($"worker {assignment.WorkerIndex} did not start");
        var worker = new WorkerProcess(process, assignment.WorkerIndex);
        try
        {
            // Whatever a worker has to say about trouble reaches the user as it happens.
            process.ErrorDataReceived += (_, line) =>
            {
                if (line.Data is not null) Console.Error.WriteLine($"[worker {assignment.WorkerIndex}] {line.Data}");
            };
            process.BeginErrorReadLine();
            process.StandardInput.WriteLine(JsonSerializer.Serialize(assignment, BenchJson.Default.WorkerAssignment));
            process.StandardInput.Flush();
            return worker;
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }

    public async Task WaitReadyAsync(CancellationToken cancellation)
    {
        string? line = await ReadLineAsync(cancellation);
        if (line != WorkerMain.ReadyLine) throw await FailureAsync("did not get ready", line);
    }

    public void Go(long startTimestamp)
    {
        _process.StandardInput.WriteLine($"{WorkerMain.GoPrefix}{startTimestamp}");
        _process.StandardInput.Flush();
    }

    public async Task<WorkerSummary> ReadSummaryAsync(CancellationToken cancellation)
    {
        string? line = await ReadLineAsync(cancellation);
        if (line is null) throw await FailureAsync("ended without a summary", line);
        try
        {
            return JsonSerializer.Deserialize(line, BenchJson.Default.WorkerSummary) ?? throw new JsonException("null summary");
        }
        catch (JsonException)
        {
            throw await FailureAsync("sent something other than a summary", line);
        }
    }

    // A pipe read cannot be cancelled itself; WaitAsync abandons it, and disposing kills the worker, which ends it.
    private Task<string?> ReadLineAsync(CancellationToken cancellation) => _process.StandardOutput.ReadLineAsync(cancellation).AsTask().WaitAsync(cancellation);

    private async Task<CannotMeasureException> FailureAsync(string what, string? line)
    {
        // Give a crashing worker a moment to finish, so its exit code (and stderr) can be reported.
        using var settle = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _process.WaitForExitAsync(settle.Token);
        }
        catch (OperationCanceledException)
        {
        }
        string exit = _process.HasExited ? $"exit code {_process.ExitCode}" : "still running";
        string said = line is null ? "" : $"; it said: {line}";
        return new CannotMeasureException($"worker {index} {what} ({exit}){said}");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        _process.Dispose();
    }
}
