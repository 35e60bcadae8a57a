using System.Globalization;
using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Status;

namespace TixTrigger.Silo.Status;

/// <summary>
/// "My phone is not woken": everything the cluster knows of one address (and port), as served at
/// <c>/status/clients</c> and drawn on <c>/status</c>. Every gateway the status page shows is asked
/// through its lookup reference (its mirror entries, its recently refused sources), each within
/// <see cref="GatewayTimeout"/>, and says so when it does not answer; for each client found (or the
/// one named), its client partition says which gateway shard owns it and that shard grain what it holds.
/// Times are UTC as of this silo's clock, from the ages each process measured on its own.
/// </summary>
public sealed record PhoneLookupReport(
    string Query,
    DateTimeOffset GeneratedAt,
    string Silo,
    PhoneLookupReport.Phone[] Phones,
    PhoneLookupReport.Refusal[] Refusals,
    PhoneLookupReport.GatewayAnswer[] Gateways)
{
    public static readonly TimeSpan GatewayTimeout = TimeSpan.FromSeconds(2);

    /// <summary>One client (address and port), as its owner record, its shard grain and the gateways holding it see it.</summary>
    public sealed record Phone(string Client, Owner? Owner, ShardRecord? Shard, AtGateway[] Gateways, string? ClusterError);

    /// <summary>The client partition's record: the latest heartbeat wins ownership.</summary>
    public sealed record Owner(string Gateway, int Shard, long ClaimId, DateTimeOffset HeardAt);

    /// <summary>The shard grain's copy (its deadline lags the gateway's by up to the refresh lag; a restart resumes from it).</summary>
    public sealed record ShardRecord(string Gateway, int Shard, DateTimeOffset Deadline, long ClaimId);

    public sealed record AtGateway(
        string Gateway, string Udp, int Shard, int Slot, string Local,
        DateTimeOffset Since, DateTimeOffset LastHeartbeat, DateTimeOffset Deadline, bool Pinged,
        long PingsSent, long ClaimId, string Registration, string[] Flags, string EchoRule);

    public sealed record Refusal(string Gateway, string Client, string Reason, long Count, DateTimeOffset First, DateTimeOffset Last);

    /// <summary>Whether a gateway answered; <see cref="Error"/> says why not.</summary>
    public sealed record GatewayAnswer(string Gateway, bool Answered, string? Error, bool Truncated);

    /// <summary>Reads <c>ip</c> and <c>port</c> as an operator types them; null and a one-line reason when they are not an address and a port.</summary>
    public static PhoneQuery? Parse(string? ip, string? port, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(ip) || !IPAddress.TryParse(ip.Trim().Trim('[', ']'), out var address))
        {
            error = $"'{ip}' is not an IPv4 or IPv6 address";
            return null;
        }
        if (string.IsNullOrWhiteSpace(port)) return new PhoneQuery(PackedAddress.From(address), null);
        if (!ushort.TryParse(port.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ushort number) || number == 0)
        {
            error = $"'{port}' is not a UDP port (1-65535)";
            return null;
        }
        return new PhoneQuery(PackedAddress.From(address), number);
    }

    public static async Task<PhoneLookupReport> GatherAsync(IGrainFactory grains, ILocalSiloDetails local, PhoneQuery query)
    {
        var reports = await grains.GetGrain<IGatewayRegistryGrain>(0).GetReports();
        var answers = await Task.WhenAll(reports.Select(report => AskAsync(report.Report, query)));
        var now = DateTimeOffset.UtcNow;
        DateTimeOffset Ago(long ms) => now - TimeSpan.FromMilliseconds(ms);

        var found = answers.Where(answer => answer.Reply is not null).SelectMany(answer => answer.Reply!.Phones).ToList();
        var clients = found.Select(phone => phone.Client);
        if (query.Port is { } port) clients = clients.Prepend(new ClientEndpoint(query.Address, port));
        var phones = await Task.WhenAll(clients.Distinct().Take(PhoneQuery.MaxResults).Select(async client =>
        {
            var (owner, shard, error) = await AskClusterAsync(grains, client);
            var atGateways = answers.Where(answer => answer.Reply is not null)
                .SelectMany(answer => answer.Reply!.Phones.Where(phone => phone.Client == client).Select(phone => new AtGateway(
                    answer.Gateway, answer.Reply!.UdpEndpoint, phone.ShardIndex, phone.Slot, phone.Local.ToString(),
                    Ago(phone.SinceAgeMs), Ago(phone.LastHeardAgeMs), Ago(-phone.DeadlineTtlMs), phone.DeadlineTtlMs > 0,
                    phone.PingsSent, phone.ClaimId, phone.Registration, phone.Flags, phone.EchoRule)))
                .ToArray();
            return new Phone(client.ToString(),
                owner is null ? null : new Owner(owner.GatewayId, owner.ShardIndex, owner.ClaimId, Ago(owner.AgeMs)),
                shard is null || owner is null ? null : new ShardRecord(owner.GatewayId, owner.ShardIndex, Ago(-(long)shard.Value.TtlMs), shard.Value.ClaimId),
                atGateways, error);
        }));
        var refusals = answers.Where(answer => answer.Reply is not null)
            .SelectMany(answer => answer.Reply!.Refusals.Select(refusal => new Refusal(
                answer.Gateway, refusal.Client.ToString(), refusal.Reason, refusal.Count, Ago(refusal.FirstAgeMs), Ago(refusal.LastAgeMs))))
            .OrderByDescending(refusal => refusal.Last)
            .ToArray();
        string described = query.Port is null ? query.Address.ToString() : new ClientEndpoint(query.Address, query.Port.Value).ToString();
        return new PhoneLookupReport(described, now, local.SiloAddress.ToString(), phones, refusals,
            [.. answers.Select(answer => new GatewayAnswer(answer.Gateway, answer.Reply is not null, answer.Error, answer.Reply?.Truncated ?? false))]);
    }

    private sealed record Answer(string Gateway, GatewayLookupReply? Reply, string? Error);

    private static async Task<Answer> AskAsync(GatewayReport report, PhoneQuery query)
    {
        if (report.Lookup is null) return new Answer(report.GatewayId, null, "its reports carry no lookup reference (an older version)");
        try
        {
            return new Answer(report.GatewayId, await report.Lookup.LookUp(query).WaitAsync(GatewayTimeout), null);
        }
        catch (TimeoutException)
        {
            return new Answer(report.GatewayId, null, $"did not answer within {GatewayTimeout.TotalSeconds:F0} s");
        }
        catch (Exception error)
        {
            return new Answer(report.GatewayId, null, $"{error.GetType().Name}: {error.Message}");
        }
    }

    /// <summary>The client partition's owner record, and that owner's shard grain's member record.</summary>
    private static async Task<(ClientOwner? Owner, ShardMember? Shard, string? Error)> AskClusterAsync(IGrainFactory grains, ClientEndpoint client)
    {
        try
        {
            var owner = await grains.GetGrain<IClientPartitionGrain>(ClientPartitions.Of(client)).GetOwner(client).WaitAsync(GatewayTimeout);
            if (owner is null) return (null, null, null);
            var shard = await grains.GetGrain<IPingShardGrain>(ShardKey.Format(owner.GatewayId, owner.ShardIndex)).GetMember(client).WaitAsync(GatewayTimeout);
            return (owner, shard, null);
        }
        catch (Exception error)
        {
            return (null, null, $"{error.GetType().Name}: {error.Message}");
        }
    }
}
