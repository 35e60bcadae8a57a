using System.Net;
using TixTrigger.Endpoints;
using TixTrigger.Gateway.Mirror;
using TixTrigger.Gateway.State;
using TixTrigger.Settings;
using TixTrigger.Time;

namespace TixTrigger.Tests.Deployment;

/// <summary>
/// The saver writes its file outside the shards' locks: a write the kernel throttles (dirty pages on a busy disk)
/// must not hold up the sender's slots, which take the same locks.
/// </summary>
public sealed class StateSaveLockTests
{
    [Fact]
    public void A_save_writes_to_its_file_with_no_shard_lock_held()
    {
        var options = new UdpGatewayOptions { ShardsPerGateway = 1, ClientExpirationSeconds = 120, MaxClients = 100_000, MaxClientsPerIp = 100_000 };
        var mirror = new PingMirror(options);
        long deadline = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 60_000;
        var local = PackedAddress.From(IPAddress.Loopback);
        // More than one block (1,024 records): the old saver wrote whole blocks from inside the walk.
        SavedClient[] clients = [.. Enumerable.Range(0, 3000).Select(i => new SavedClient(new ClientEndpoint(new PackedAddress(0, 0x0000_FFFF_7F00_0001UL), (ushort)(1 + i)), local, deadline, (byte)(i % 100)))];
        Assert.Equal(3000, mirror.Restore(clients, Monotonic.NowMs(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _ => Assert.Fail("refused")));

        using var file = new LockProbe(mirror.ShardOf(clients[0].Client));
        var writer = new StateWriter(file, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0);
        StateSaver.WriteClients(mirror, writer, new SavedClient[MirrorShard.EntriesPerHold]);
        writer.Finish();

        Assert.Equal(3000, writer.Count);
        Assert.True(file.Writes >= 3, $"only {file.Writes} writes");
        Assert.Equal(0, file.WritesUnderLock);
    }

    /// <summary>A stream that, on each write, asks another thread to take the shard's lock (as the sender does for each slot).</summary>
    private sealed class LockProbe(MirrorShard shard) : MemoryStream
    {
        public int Writes { get; private set; }

        public int WritesUnderLock { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes++;
            if (!Task.Run(() => shard.Count).Wait(TimeSpan.FromSeconds(1))) WritesUnderLock++;
            base.Write(buffer, offset, count);
        }
    }
}
