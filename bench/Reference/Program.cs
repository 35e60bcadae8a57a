using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using TixTrigger.Reference;

// A bare single-process pinger with the service's contract, for the bench to compare the service
// against: one socket, a dictionary per shard, two sender threads pacing SendTo over the second.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

const int SlotsPerSecond = 100;
const int SenderThreads = 2;
const int BufferBytes = 8 * 1024 * 1024;

ReferenceSettings settings;
try
{
    settings = ReferenceSettings.Read(Environment.GetEnvironmentVariable);
}
catch (FormatException problem)
{
    Console.Error.WriteLine($"reference: {problem.Message}");
    return 2;
}

using var socket = new Socket(settings.Host.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
try
{
    // The same requests as the service's socket: a dual-stack wildcard, 8 MiB each way (the kernel
    // clamps them to net.core.rmem_max / wmem_max without saying so).
    if (socket.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = true;
    socket.ReceiveBufferSize = BufferBytes;
    socket.SendBufferSize = BufferBytes;
    socket.Bind(new IPEndPoint(settings.Host, settings.Port));
}
catch (SocketException error)
{
    Console.Error.WriteLine($"reference: cannot listen on udp {settings.Host}:{settings.Port}: {error.Message}");
    return 1;
}

Shard[] shards = [.. Enumerable.Range(0, SenderThreads).Select(_ => new Shard(SlotsPerSecond))];
var receiver = new HeartbeatReceiver(socket, shards, (long)(settings.ExpirySeconds * Stopwatch.Frequency));
// Each sender owns one shard, so the two threads never wait for each other.
SlotSender[] senders = [.. shards.Select((shard, i) => new SlotSender(socket, [shard], SlotsPerSecond, $"reference-pings-{i}"))];

using var stop = new ManualResetEventSlim();
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

long origin = Stopwatch.GetTimestamp();
foreach (var sender in senders) sender.Start(origin);
receiver.Start();
Console.WriteLine($"TixTrigger reference listening on udp {socket.LocalEndPoint}; CLIENT_EXPIRATION_SECONDS={settings.ExpirySeconds}; {SenderThreads} sender threads");

stop.Wait();
foreach (var sender in senders) sender.Stop();
double lateMs = senders.Max(sender => sender.MaxLatenessTicks) * 1000.0 / Stopwatch.Frequency;
// One line the bench reads after stopping it: what this pinger itself contributed to the jitter.
Console.WriteLine(
    $"reference stopped: clients={shards.Sum(shard => shard.Count)} heartbeats={receiver.Heartbeats} dropped={receiver.Dropped} " +
    $"pings={senders.Sum(sender => sender.Sent)} failed={senders.Sum(sender => sender.Failed)} " +
    $"skippedSeconds={senders.Sum(sender => sender.SkippedSeconds)} maxSlotLatenessMs={lateMs:F2}");
return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Set();
}
