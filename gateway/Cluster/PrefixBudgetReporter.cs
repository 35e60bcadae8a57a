using Microsoft.Extensions.Logging;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Abuse;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Protocol;
using TixTrigger.Settings;

namespace TixTrigger.Gateway.Cluster;

/// <summary>
/// This gateway's half of the cluster-wide per-network ping budget, run by the
/// <see cref="RegistrationFlusher"/> before each batch of claims leaves: tells each budget grain
/// this gateway's count in every network whose count changed (and how many of those clients are
/// new), learns what the other gateways hold, and drops the new clients the grain refused (the
/// newest of their network in the batch) before they are claimed. Every 20 s, and for a grain that
/// lost its state, it reports every network it knows, so the grains' counts follow expiries and a
/// restarted grain is refilled.
/// </summary>
internal sealed partial class PrefixBudgetReporter(IGrainFactory grains, UdpGatewayOptions options, PingMirror mirror, GatewayMetrics metrics, ILogger logger)
{
    private readonly long[] _activations = new long[PrefixBudgets.Count];
    private readonly bool[] _everyOf = new bool[PrefixBudgets.Count];
    private readonly LogThrottle _failureLog = new();
    private long _nextFullReportMs;

    private AdmissionControl Admission => mirror.Context.Admission;

    /// <summary>Nothing to tell any budget grain, now or at the next full report: no network known, none owed a full report again.</summary>
    public bool Idle => !_everyOf.AsSpan().Contains(true) && Admission.BudgetIdle;

    /// <summary>Reports this round's counts; returns the claims still to send (those of refused clients are gone with their entries).</summary>
    public async Task<List<PendingRegistration>> SettleAsync(List<PendingRegistration> claims, long nowMs)
    {
        // The new clients of each non-exempt network, oldest first: claim ids increase per gateway.
        var fresh = claims
            .Where(claim => claim.Provisional && !Admission.IsExempt(claim.Member.Client.Address))
            .GroupBy(claim => SourcePrefix.Of(claim.Member.Client.Address))
            .ToDictionary(group => group.Key, group => group.OrderBy(claim => claim.Member.ClaimId).ToList());
        if (nowMs >= _nextFullReportMs)
        {
            _nextFullReportMs = nowMs + ClusterTiming.PrefixFullReportIntervalMs;
            Array.Fill(_everyOf, true);
        }
        var counts = new List<(PackedAddress Prefix, int Count)>();
        Admission.TakeBudgetReports(counts, fresh.Keys, _everyOf);
        Array.Clear(_everyOf);

        var refused = new HashSet<long>();
        var unanswered = new HashSet<int>();
        if (counts.Count > 0)
        {
            var calls = counts
                .GroupBy(count => PrefixBudgets.Of(count.Prefix))
                .Select(group => ReportAsync(group.Key, [.. group.Select(count => new PrefixCount(count.Prefix, count.Count, fresh.GetValueOrDefault(count.Prefix)?.Count ?? 0))]))
                .ToList();
            foreach (var (grain, reply) in await Task.WhenAll(calls))
            {
                if (reply is null)
                {
                    _everyOf[grain] = true; // its counts may not have reached it: all of them again next round
                    unanswered.Add(grain);
                    continue;
                }
                Apply(grain, reply, fresh, refused);
            }
        }

        // A provisional client whose grain did not answer stays provisional: claimed in a later round, with its grain's word.
        bool Unanswered(PendingRegistration claim) => claim.Provisional && unanswered.Contains(PrefixBudgets.Of(SourcePrefix.Of(claim.Member.Client.Address)));
        int removed = 0;
        foreach (var group in claims.Where(claim => claim.Provisional && !Unanswered(claim)).GroupBy(claim => claim.Shard))
        {
            removed += mirror.Shards[group.Key].SettleBudget(group.Select(claim => (claim, refused.Contains(claim.Member.ClaimId))));
        }
        foreach (var group in claims.Where(Unanswered).GroupBy(claim => claim.Shard))
        {
            mirror.Shards[group.Key].CompleteClaims(group.Select(claim => (claim, false)));
        }
        for (int i = 0; i < removed; i++) metrics.CountDrop(DropReason.OverPrefixBudget);
        if (refused.Count == 0 && unanswered.Count == 0) return claims;
        if (removed > 0) LogRefused(logger, removed);
        return [.. claims.Where(claim => !refused.Contains(claim.Member.ClaimId) && !Unanswered(claim))];
    }

    private void Apply(int grain, PrefixBudgetReply reply, Dictionary<PackedAddress, List<PendingRegistration>> fresh, HashSet<long> refused)
    {
        long known = _activations[grain];
        if (known != 0 && known != reply.ActivationId)
        {
            _everyOf[grain] = true;
            LogGrainRestarted(logger, grain);
        }
        _activations[grain] = reply.ActivationId;
        Admission.SetBudgetOthers(reply.Verdicts.Select(verdict => (verdict.Prefix, verdict.Others)));
        foreach (var verdict in reply.Verdicts)
        {
            if (verdict.Refused <= 0 || !fresh.TryGetValue(verdict.Prefix, out var newest)) continue;
            // The most recent ones: the clients that took the network past its budget.
            for (int i = Math.Max(0, newest.Count - verdict.Refused); i < newest.Count; i++) refused.Add(newest[i].Member.ClaimId);
        }
    }

    private async Task<(int Grain, PrefixBudgetReply? Reply)> ReportAsync(int grain, PrefixCount[] counts)
    {
        try
        {
            return (grain, await grains.GetGrain<IPrefixBudgetGrain>(grain).Report(options.GatewayId, options.MaxPingsPerSecondPerPrefix, counts));
        }
        catch (Exception error)
        {
            // Admission goes on with the last known counts of the other gateways: at most the budget on this gateway alone.
            if (_failureLog.ShouldLog()) LogReportFailed(logger, grain, error.Message);
            return (grain, null);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dropped {Removed} new clients: their networks' ping budget is spent across the cluster")]
    private static partial void LogRefused(ILogger logger, int removed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Prefix budget grain {Grain} restarted empty: reporting all this gateway's networks of it again")]
    private static partial void LogGrainRestarted(ILogger logger, int grain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Prefix budget grain {Grain} did not take this gateway's counts ({Error}); admission goes on with the last counts it gave")]
    private static partial void LogReportFailed(ILogger logger, int grain, string error);
}
