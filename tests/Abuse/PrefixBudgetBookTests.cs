using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Messages;
using TixTrigger.Protocol;
using TixTrigger.Silo.Grains;

namespace TixTrigger.Tests.Abuse;

/// <summary>
/// The budget grain's counting (<see cref="PrefixBudgetBook"/>), on a clock the test moves: gateways
/// report absolute counts, and new clients beyond the budget across all of them are refused.
/// </summary>
public sealed class PrefixBudgetBookTests
{
    private const int Budget = 50;
    private static readonly PackedAddress Network = PackedAddress.From(IPAddress.Parse("203.0.113.0"));

    [Fact]
    public void Two_gateways_filling_one_network_never_exceed_the_budget_together()
    {
        var book = new PrefixBudgetBook();
        var held = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0 };
        long now = 0;
        // Each round, each gateway admitted 7 more on its own and reports them: the grain keeps what fits.
        for (int round = 0; round < 20; round++, now += 50)
        {
            foreach (var gateway in held.Keys.ToList())
            {
                int count = held[gateway] + 7;
                var verdict = book.Report(gateway, new PrefixCount(Network, count, New: 7), Budget, now);
                held[gateway] = count - verdict.Refused;
                Assert.Equal(held.Where(g => g.Key != gateway).Sum(g => g.Value), verdict.Others);
                Assert.True(held.Values.Sum() <= Budget, $"round {round}: {held["a"]} + {held["b"]}");
            }
        }
        Assert.Equal(Budget, held.Values.Sum());
    }

    [Fact]
    public void Only_new_clients_are_refused_never_ones_counted_before()
    {
        var book = new PrefixBudgetBook();
        book.Report("a", new PrefixCount(Network, 40, New: 40), Budget, nowMs: 0);
        // Gateway b had 30 before the grain knew of them (the cluster was away), and 5 new ones now.
        var verdict = book.Report("b", new PrefixCount(Network, 35, New: 5), Budget, nowMs: 10);

        Assert.Equal(5, verdict.Refused);
        Assert.Equal(40, verdict.Others);
        Assert.Equal(30, book.Others(Network, "a", nowMs: 20));
    }

    [Fact]
    public void Counts_go_down_when_a_gateway_reports_fewer()
    {
        var book = new PrefixBudgetBook();
        book.Report("a", new PrefixCount(Network, Budget, New: Budget), Budget, nowMs: 0);
        Assert.Equal(3, book.Report("b", new PrefixCount(Network, 3, New: 3), Budget, nowMs: 10).Refused);

        // a's clients expire: it reports 20 left, and b gets the room they left.
        book.Report("a", new PrefixCount(Network, 20, New: 0), Budget, nowMs: 1_000);
        var verdict = book.Report("b", new PrefixCount(Network, 30, New: 30), Budget, nowMs: 1_010);

        Assert.Equal(0, verdict.Refused);
        Assert.Equal(20, verdict.Others);
        book.Report("a", new PrefixCount(Network, 0, New: 0), Budget, nowMs: 2_000);
        Assert.Equal(0, book.Others(Network, "b", nowMs: 2_010));
    }

    [Fact]
    public void A_silent_gateways_counts_are_forgotten_after_60_seconds()
    {
        var book = new PrefixBudgetBook();
        book.Report("dead", new PrefixCount(Network, Budget, New: Budget), Budget, nowMs: 0);

        Assert.Equal(Budget, book.Others(Network, "live", nowMs: ClusterTiming.PrefixCountForgetMs));
        Assert.Equal(10, book.Report("live", new PrefixCount(Network, 10, New: 10), Budget, nowMs: ClusterTiming.PrefixCountForgetMs).Refused);
        // One millisecond later it is gone: the live gateway gets the whole budget.
        var verdict = book.Report("live", new PrefixCount(Network, 10, New: 10), Budget, nowMs: ClusterTiming.PrefixCountForgetMs + 1);
        Assert.Equal(0, verdict.Refused);
        Assert.Equal(0, verdict.Others);
        book.Sweep(ClusterTiming.PrefixCountForgetMs * 3);
        Assert.Equal(0, book.Networks);
    }
}
