using Microsoft.Extensions.Logging;
using TixTrigger.Grains;
using TixTrigger.Messages;
using TixTrigger.Silo.Placement;
using TixTrigger.Time;

namespace TixTrigger.Silo.Grains;

/// <summary>
/// One share of the per-network ping budget (see <see cref="IPrefixBudgetGrain"/>). Soft state:
/// a new activation starts empty under a new activation id, and every gateway, seeing the id
/// change in a reply, reports all its networks of this grain again in its next round (50 ms).
/// </summary>
[RendezvousPlacement]
public sealed partial class PrefixBudgetGrain(ILogger<PrefixBudgetGrain> logger) : Grain, IPrefixBudgetGrain
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(15);

    private readonly PrefixBudgetBook _book = new();
    private readonly long _activationId = Random.Shared.NextInt64(1, long.MaxValue);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(() =>
        {
            _book.Sweep(Monotonic.NowMs());
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(SweepInterval, SweepInterval));
        return Task.CompletedTask;
    }

    public Task<PrefixBudgetReply> Report(string gatewayId, int budget, PrefixCount[] counts)
    {
        long now = Monotonic.NowMs();
        var verdicts = new PrefixVerdict[counts.Length];
        int refused = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            verdicts[i] = _book.Report(gatewayId, counts[i], budget, now);
            refused += verdicts[i].Refused;
        }
        if (refused > 0) LogRefused(refused, gatewayId, this.GetPrimaryKeyLong());
        return Task.FromResult(new PrefixBudgetReply(_activationId, verdicts));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused {Refused} new clients of {Gateway}: their networks' ping budget is spent (budget grain {Partition})")]
    private partial void LogRefused(int refused, string gateway, long partition);
}
