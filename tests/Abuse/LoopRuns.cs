using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Abuse;

[CollectionDefinition(Name)]
public sealed class LoopRunsCollection : ICollectionFixture<LoopRuns>
{
    public const string Name = "loop runs";
}

/// <summary>
/// The two 70 s loop runs of issue 14 at once (answerers and apps beside one node; two services
/// pinging each other), so that they cost CI 70 s instead of 140. Both start together once their
/// three nodes are up, so that no node's start-up (JIT, Orleans) overlaps the other run's clock;
/// each test class waits for its own run and reads it. The runs are independent: different nodes,
/// addresses and ports, one forger each.
/// </summary>
public sealed class LoopRuns : IAsyncLifetime
{
    private readonly List<SingleNode> _nodes = [];

    public Task<AnswererLoopTests.Run> Answerers { get; private set; } = null!;

    public Task<TwoServicesLoopTest.Run> TwoServices { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var expiry = new Dictionary<string, string> { ["CLIENT_EXPIRATION_SECONDS"] = "10" };
        var starting = new[] { SingleNode.StartAsync(expiry), SingleNode.StartAsync(expiry), SingleNode.StartAsync(expiry) };
        try
        {
            await Task.WhenAll(starting);
        }
        catch (Exception)
        {
            foreach (var node in starting.Where(s => s.IsCompletedSuccessfully)) node.Result.Dispose();
            throw;
        }
        _nodes.AddRange(starting.Select(s => s.Result));
        // Each on its own thread: the runs block on sockets and spin on timelines, not on the thread pool.
        Answerers = Task.Run(() => AnswererLoopTests.Run.RunAsync(_nodes[0]));
        TwoServices = Task.Run(() => TwoServicesLoopTest.Run.RunAsync(_nodes[1], _nodes[2]));
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Task.WhenAll(Answerers, TwoServices);
        }
        catch (Exception)
        {
            // Each test class reports its own run's failure.
        }
        _nodes.ForEach(node => node.Dispose());
    }
}
