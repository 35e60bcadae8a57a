using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Time;

namespace TixTrigger.Silo.Grains;

/// <summary>
/// The gateways alive in the cluster, as they announce themselves every few seconds. Holds nothing
/// that is not rebuilt within one announcement interval after it is lost.
/// </summary>
public sealed class GatewayDirectoryGrain : Grain, IGatewayDirectoryGrain
{
    /// <summary>Gateways announce every 2 s; one silent this long is gone.</summary>
    private const long ForgetAfterMs = 30_000;

    /// <summary>A directory younger than this may not have heard every gateway yet.</summary>
    private const long CompleteAfterMs = 5_000;

    private readonly Dictionary<string, (GatewayAnnouncement Announcement, long SeenMs)> _gateways = [];
    private readonly long _activatedMs = Monotonic.NowMs();

    public Task Announce(GatewayAnnouncement announcement)
    {
        _gateways[announcement.GatewayId] = (announcement, Monotonic.NowMs());
        return Task.CompletedTask;
    }

    public Task<GatewayList> GetGateways()
    {
        long now = Monotonic.NowMs();
        foreach (var (id, entry) in _gateways)
        {
            if (now - entry.SeenMs > ForgetAfterMs) _gateways.Remove(id);
        }
        return Task.FromResult(new GatewayList([.. _gateways.Values.Select(entry => entry.Announcement)], now - _activatedMs >= CompleteAfterMs));
    }
}
