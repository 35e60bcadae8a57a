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

    /// <summary>Each client's receive buffer; a ping is 2 bytes, anything longer is wrong however long it is.</summary>
    private const int ReceiveBufferBytes = 128;

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
        Task[] listening;
        HeartbeatSender sender;
        RunWindow window;
        try
        {
            listening = clients.Select(client => client.ListenAsync()).ToArray();
            output.WriteLine(ReadyLine);

            string? go = input.ReadLine();
            if (go is null || !go.StartsWith(GoPrefix, StringComparison.Ordinal)) return Watchdog.CoordinatorGoneExitCode;
            window = RunWindow.Of(assignment, long.Parse(go.AsSpan(GoPrefix.Length), CultureInfo.InvariantCulture));
            watchdog.Reset(TimeSpan.FromMilliseconds(StopwatchTime.ToMs(window.End - Stopwatch.GetTimestamp())) + FinishMargin);
            Watchdog.ExitWhenInputEnds(input);

            sender = new HeartbeatSender(clients, window, StopwatchTime.FromSeconds(assignment.HeartbeatSeconds));
            sender.Run();
            HeartbeatSender.WaitUntil(window.End);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
        // Closing the sockets ends every receive loop; after this the logs have no writer left.
        Task.WaitAll(listening);

        var summary = new RunAnalysis(window).Summarize(clients, sender);
        output.WriteLine(JsonSerializer.Serialize(summary, BenchJson.Default.WorkerSummary));
        return 0;
    }

    private static List<SimulatedClient> OpenClients(WorkerAssignment assignment)
    {
        // One array sliced per client rather than thousands of small ones.
        var buffers = new byte[assignment.ClientCount * ReceiveBufferBytes];
        int expectedPings = (int)Math.Ceiling(assignment.DurationSeconds) + 8;
        int expectedHeartbeats = (int)Math.Ceiling(assignment.DurationSeconds / assignment.HeartbeatSeconds) + 4;
        var clients = new List<SimulatedClient>(assignment.ClientCount);
        try
        {
            foreach (var spec in new ClientLayout(assignment).Clients)
            {
                var buffer = buffers.AsMemory(clients.Count * ReceiveBufferBytes, ReceiveBufferBytes);
                clients.Add(new SimulatedClient(spec, buffer, expectedPings, expectedHeartbeats));
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
