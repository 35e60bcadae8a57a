using TixTrigger.Messages;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>A gateway process as a test that attaches to shard grains directly presents itself.</summary>
internal static class TestProcesses
{
    public static GatewayProcess New(int refreshLagMs = 30_000, string endpoint = "test 127.0.0.1:1") =>
        new(Guid.NewGuid(), endpoint, ClaimEpoch: 0, refreshLagMs);
}
