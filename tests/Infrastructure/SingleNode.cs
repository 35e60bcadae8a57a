using System.Net;

namespace TixTrigger.Tests.Infrastructure;

/// <summary><c>dotnet run --project silo</c> as a user runs it: one process, silo and UDP gateway, on free ports.</summary>
public sealed class SingleNode : IDisposable
{
    private SingleNode(NodeProcess process, int dashboardPort, int udpPort)
    {
        Process = process;
        DashboardPort = dashboardPort;
        UdpPort = udpPort;
    }

    public NodeProcess Process { get; }

    public int DashboardPort { get; }

    public int UdpPort { get; }

    public IPEndPoint Udp => new(IPAddress.Loopback, UdpPort);

    public string Url(string path) => $"http://127.0.0.1:{DashboardPort}{path}";

    /// <param name="udpPort">PORT; by default a free one (a restart in place passes its predecessor's).</param>
    public static async Task<SingleNode> StartAsync(IReadOnlyDictionary<string, string>? settings = null, int? udpPort = null)
    {
        int dashboard = FreePorts.Next(), udp = udpPort ?? FreePorts.Next();
        var environment = new Dictionary<string, string>
        {
            ["PORT"] = udp.ToString(),
            ["DASHBOARD_PORT"] = dashboard.ToString(),
            ["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        var node = new SingleNode(NodeProcess.Start("silo", BuiltOutputs.Silo, environment), dashboard, udp);
        if (!await node.Process.WaitForOutputAsync("TixTrigger silo up", TimeSpan.FromSeconds(60)))
        {
            node.Dispose();
            throw new InvalidOperationException("The single node did not start: " + node.Process.Describe());
        }
        return node;
    }

    public void Dispose() => Process.Dispose();
}
