using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Worker;

/// <summary>
/// A worker process: reads its assignment from stdin, opens its clients' sockets, says "ready",
/// waits for "go &lt;start timestamp&gt;", runs, and writes its summary as one JSON line on stdout.
/// </summary>
internal static class WorkerMain
{
    public const string ReadyLine = "ready";
    public const string GoPrefix = "go ";

    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan FinishMargin = TimeSpan.FromMinutes(1);

    public static int Run()
    {
        var input = new StreamReader(Console.OpenStandardInput());
        var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        using var watchdog = new Watchdog(StartLimit);

        string? line = input.ReadLine();
        if (line is null) return Watchdog.CoordinatorGoneExitCode;
        var assignment = JsonSerializer.Deserialize(line, BenchJson.Default.WorkerAssignment)
            ?? throw new InvalidDataException("empty worker assignment");

        var clients = OpenClients(assignment);
        HeartbeatSender sender;
        RunWindow window;
        EpollReceiver? receiver = null;
        TimeSpan runCpu;
        try
        {
            receiver = new EpollReceiver(clients, assignment.ReadIntervalMs);
            receiver.Start();
            output.WriteLine(ReadyLine);

            string? go = input.ReadLine();
            if (go is null || !go.StartsWith(GoPrefix, StringComparison.Ordinal)) return Watchdog.CoordinatorGoneExitCode;
            window = RunWindow.Of(assignment, long.Parse(go.AsSpan(GoPrefix.Length), CultureInfo.InvariantCulture));
            watchdog.Reset(TimeSpan.FromMilliseconds(StopwatchTime.ToMs(window.End - Stopwatch.GetTimestamp())) + FinishMargin);
            Watchdog.ExitWhenInputEnds(input);

            sender = new HeartbeatSender(clients, window, StopwatchTime.FromSeconds(assignment.HeartbeatSeconds));
            var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
            sender.Run();
            HeartbeatSender.WaitUntil(window.End);
            runCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart;
        }
        finally
        {
            // Reads what arrived up to now, before the sockets close; after this the logs have no writer left.
            receiver?.Stop();
            foreach (var client in clients) client.Dispose();
            receiver?.Dispose();
        }

        var summary = new RunAnalysis(window, assignment.Targets.Length).Summarize(clients, sender, receiver!, runCpu);
        output.WriteLine(JsonSerializer.Serialize(summary, BenchJson.Default.WorkerSummary));
        return 0;
    }

    private static List<SimulatedClient> OpenClients(WorkerAssignment assignment)
    {
        int expectedPings = (int)Math.Ceiling(assignment.DurationSeconds) + 8;
        int expectedHeartbeats = (int)Math.Ceiling(assignment.DurationSeconds / assignment.HeartbeatSeconds) + 4;
        var clients = new List<SimulatedClient>(assignment.ClientCount);
        try
        {
            foreach (var spec in new ClientLayout(assignment).Clients)
            {
                clients.Add(new SimulatedClient(spec, expectedPings, expectedHeartbeats));
            }
        }
        catch
        {
            foreach (var client in clients) client.Dispose();
            throw;
        }
        return clients;
    }
}
