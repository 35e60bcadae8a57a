using System.Diagnostics;
using System.Net;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// The cluster of <c>scripts/local-cluster.sh</c>, the one command users run: redis, two silos and
/// two gateways, here on free ports and in a folder of its own. Stopped by the script on dispose,
/// and killed by PID if the script fails to.
/// </summary>
public sealed class ScriptedCluster : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tixtrigger-local-cluster-").FullName;

    public int[] DashboardPorts { get; } = [FreePorts.Next(), FreePorts.Next()];

    public int[] MetricsPorts { get; } = [FreePorts.Next(), FreePorts.Next()];

    public int[] UdpPorts { get; } = [FreePorts.Next(), FreePorts.Next()];

    public IPEndPoint Gateway(int index) => new(IPAddress.Loopback, UdpPorts[index]);

    public string Folder => _directory;

    public string[] Nodes { get; } = ["redis", "silo-1", "silo-2", "gateway-a", "gateway-b"];

    public string StartOutput { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var (exitCode, output) = await RunScriptAsync("start");
        StartOutput = output;
        if (exitCode != 0) throw new InvalidOperationException($"scripts/local-cluster.sh start exited {exitCode}:\n{output}");
    }

    public async Task<(int ExitCode, string Output)> RunScriptAsync(string command)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(BuiltOutputs.RepositoryRoot, "scripts", "local-cluster.sh"), command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["TIXTRIGGER_LOCAL_DIR"] = _directory;
        start.Environment["STATE_DIR"] = Path.Combine(_directory, "state"); // never the working directory's, nor another test's
        start.Environment["TIXTRIGGER_NO_BUILD"] = "1";
        start.Environment["CONFIGURATION"] = BuiltOutputs.Configuration;
        start.Environment["REDIS_PORT"] = FreePorts.Next().ToString();
        start.Environment["SILO_PORTS"] = $"{FreePorts.Next()} {FreePorts.Next()}";
        start.Environment["ORLEANS_GATEWAY_PORTS"] = $"{FreePorts.Next()} {FreePorts.Next()}";
        start.Environment["DASHBOARD_PORTS"] = string.Join(' ', DashboardPorts);
        start.Environment["METRICS_PORTS"] = string.Join(' ', MetricsPorts);
        start.Environment["UDP_PORTS"] = string.Join(' ', UdpPorts);
        start.Environment.Remove("REDIS_CONNECTION");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }

    public string Log(string node) => File.ReadAllText(Path.Combine(_directory, $"{node}.log"));

    public int? Pid(string node)
    {
        string file = Path.Combine(_directory, $"{node}.pid");
        return File.Exists(file) ? int.Parse(File.ReadAllText(file).Trim()) : null;
    }

    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public async Task DisposeAsync()
    {
        var pids = Nodes.Select(Pid).OfType<int>().ToList();
        try
        {
            await RunScriptAsync("stop");
        }
        finally
        {
            foreach (int pid in pids.Where(IsRunning))
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                }
                catch (ArgumentException)
                {
                }
            }
            Directory.Delete(_directory, recursive: true);
        }
    }
}
