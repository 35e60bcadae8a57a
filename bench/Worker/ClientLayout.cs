using System.Net;
using System.Net.Sockets;
using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Worker;

/// <summary>
/// Derives each client's target, source address, phase and role from its global index alone,
/// so the clients come out the same however they are split over workers.
/// </summary>
internal sealed class ClientLayout
{
    private readonly WorkerAssignment _assignment;
    private readonly IPEndPoint[] _targets;
    private readonly ILookup<AddressFamily, IPAddress> _bindsByFamily;

    public ClientLayout(WorkerAssignment assignment)
    {
        _assignment = assignment;
        _targets = assignment.Targets.Select(IPEndPoint.Parse).ToArray();
        _bindsByFamily = assignment.BindAddresses.Select(IPAddress.Parse).ToLookup(address => address.AddressFamily);
    }

    public IEnumerable<ClientSpec> Clients =>
        Enumerable.Range(_assignment.FirstClient, _assignment.ClientCount).Select(Describe);

    private ClientSpec Describe(int index)
    {
        var target = _targets[index % _targets.Length];
        var binds = _bindsByFamily[target.AddressFamily].ToArray();
        // Counting in rounds over the targets, then over the source addresses, gives every target
        // clients from every source address, and half of each (target, source) pair stops.
        int round = index / _targets.Length;
        var bind = binds.Length == 0 ? LoopbackOf(target) : binds[round % binds.Length];
        bool stops = _assignment.StopHalfAfterSeconds is not null && round / Math.Max(1, binds.Length) % 2 == 1;
        long offset = StopwatchTime.FromSeconds(_assignment.SpreadSeconds * index / _assignment.TotalClients);
        return new ClientSpec(index, index % _targets.Length, target, bind, offset, stops);
    }

    private static IPAddress LoopbackOf(IPEndPoint target) =>
        target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
}

/// <summary>One simulated client's place in the run.</summary>
internal sealed record ClientSpec(int Index, int TargetIndex, IPEndPoint Target, IPAddress Bind, long FirstHeartbeatOffset, bool StopsHeartbeating);
