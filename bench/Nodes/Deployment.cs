using System.Net;

namespace TixTrigger.Bench.Nodes;

/// <summary>
/// The nodes of one subject under test (the service's silos and gateways with their redis, or the
/// reference pingers), with their CPU groups and scratch folders. Disposing stops every node and
/// removes what was made for them, however the run ended.
/// </summary>
internal sealed class Deployment : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(3);

    private readonly List<NodeProcess> _nodes = [];
    private readonly Dictionary<NodeProcess, CpuQuotaGroup> _groups = [];
    private readonly List<string> _scratch = [];
    private readonly string _logDirectory;

    public Deployment(string logDirectory)
    {
        _logDirectory = logDirectory;
        Directory.CreateDirectory(logDirectory);
    }

    /// <summary>Where a run's node logs go unless told otherwise: /tmp/tixtrigger-bench/KIND-TIME, beside the scripts' logs.</summary>
    public static string LogFolder(string kind, string? requested)
    {
        string path = requested ?? Path.Combine(Path.GetTempPath(), "tixtrigger-bench", $"{kind}-{DateTime.Now:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
        Directory.CreateDirectory(path);
        return path;
    }

    public List<IPEndPoint> Targets { get; } = [];

    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    public CpuQuotaGroup? GroupOf(NodeProcess node) => _groups.GetValueOrDefault(node);

    /// <summary>Starts a node, and puts it in its own CPU group first thing when a quota is given.</summary>
    public async Task<NodeProcess> StartAsync(NodeSpec spec, CpuQuota? quota)
    {
        var node = await NodeProcess.StartAsync(spec, _logDirectory);
        lock (_nodes) _nodes.Add(node);
        if (quota is { } limit)
        {
            var group = CpuQuotaGroup.Create($"{limit.GroupPrefix}-{spec.Name}", limit);
            lock (_nodes) _groups[node] = group;
            group.Add(node.Id);
        }
        return node;
    }

    /// <summary>A folder that lives as long as the deployment (redis' append-only file).</summary>
    public string Scratch(string name)
    {
        string path = Directory.CreateTempSubdirectory($"tixtrigger-bench-{name}-").FullName;
        _scratch.Add(path);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        // The service's nodes before what they depend on (redis), so none of them logs a storm of connection errors.
        await Task.WhenAll(_nodes.Where(node => node.Spec.Role != NodeRole.Support).Select(node => node.StopAsync(StopGrace)));
        await Task.WhenAll(_nodes.Select(node => node.StopAsync(StopGrace)));
        foreach (var node in _nodes) node.Dispose();
        foreach (var group in _groups.Values) group.Dispose();
        foreach (string path in _scratch)
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
