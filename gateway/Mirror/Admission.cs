using TixTrigger.Endpoints;

namespace TixTrigger.Gateway.Mirror;

/// <summary>What the gateway made of a heartbeat.</summary>
internal enum Admission
{
    Added,
    Refreshed,
    OverIpLimit,
    OverCapacity,
}

/// <summary>
/// The limits every new client of a gateway passes, whichever way it arrives (a heartbeat, a
/// snapshot, a refill): the gateway's total, and how many one source address may register.
/// Touched only when a client is added or removed, never by a refresh or a ping.
/// </summary>
internal sealed class AdmissionControl(int maxClients, int maxClientsPerIp)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<PackedAddress, int> _perAddress = [];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public Admission TryAdd(ClientEndpoint client)
    {
        lock (_gate)
        {
            if (_count >= maxClients) return Admission.OverCapacity;
            int fromAddress = _perAddress.GetValueOrDefault(client.Address);
            if (fromAddress >= maxClientsPerIp) return Admission.OverIpLimit;
            _perAddress[client.Address] = fromAddress + 1;
            _count++;
            return Admission.Added;
        }
    }

    public void Remove(ClientEndpoint client)
    {
        lock (_gate)
        {
            _count--;
            int fromAddress = _perAddress.GetValueOrDefault(client.Address) - 1;
            if (fromAddress <= 0) _perAddress.Remove(client.Address);
            else _perAddress[client.Address] = fromAddress;
        }
    }
}
