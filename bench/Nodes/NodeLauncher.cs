using System.Collections.Concurrent;
using System.Diagnostics;

namespace TixTrigger.Bench.Nodes;

/// <summary>
/// Starts every node from one dedicated thread that lives as long as the bench, through
/// <c>setpriv --pdeathsig KILL</c>: should the bench itself die without cleaning up (kill -9),
/// the kernel kills its nodes too. The parent-death signal fires when the thread that started the
/// child ends, which is why a thread-pool thread (which may retire when idle) must not start them.
/// </summary>
internal static class NodeLauncher
{
    private const string SetPriv = "/usr/bin/setpriv";

    private static readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Started)> Requests = [];
    private static readonly Lazy<Thread> Launcher = new(() =>
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "node-launcher" };
        thread.Start();
        return thread;
    });

    public static bool KilledWithBench => File.Exists(SetPriv);

    public static Task<Process> StartAsync(NodeSpec spec)
    {
        var start = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (KilledWithBench)
        {
            // setpriv sets the signal and then execs the node: the process id stays the node's own.
            start.FileName = SetPriv;
            foreach (string arg in new[] { "--pdeathsig", "KILL", "--", spec.FileName }) start.ArgumentList.Add(arg);
        }
        else
        {
            start.FileName = spec.FileName;
        }
        foreach (string arg in spec.Arguments) start.ArgumentList.Add(arg);
        foreach (string name in NodeSpec.ServiceVariables) start.Environment.Remove(name);
        // Each run starts from no clients: a node must not take back the clients an earlier run left in its STATE_DIR.
        start.Environment["STATE_DIR"] = "none";
        foreach (var (name, value) in spec.Environment) start.Environment[name] = value;

        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Launcher.Value;
        Requests.Add((start, started));
        return started.Task;
    }

    private static void Run()
    {
        foreach (var (start, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(start) ?? throw new CannotMeasureException($"{start.FileName} did not start"));
            }
            catch (Exception error)
            {
                started.SetException(error);
            }
        }
    }
}
