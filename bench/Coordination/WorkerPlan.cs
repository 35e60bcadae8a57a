using System.Net;
using TixTrigger.Bench.Options;
using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Coordination;

/// <summary>Splits the clients into contiguous, nearly equal slices, one per worker process.</summary>
internal static class WorkerPlan
{
    public static IReadOnlyList<WorkerAssignment> Split(BenchOptions options, IReadOnlyList<IPEndPoint> targets)
    {
        int workers = (options.Clients + options.ClientsPerWorker - 1) / options.ClientsPerWorker;
        return Enumerable.Range(0, workers).Select(worker =>
        {
            int first = (int)((long)options.Clients * worker / workers);
            int next = (int)((long)options.Clients * (worker + 1) / workers);
            return new WorkerAssignment(
                WorkerIndex: worker,
                Targets: targets.Select(target => target.ToString()).ToArray(),
                BindAddresses: options.BindAddresses.Select(address => address.ToString()).ToArray(),
                TotalClients: options.Clients,
                FirstClient: first,
                ClientCount: next - first,
                HeartbeatSeconds: options.HeartbeatSeconds,
                DurationSeconds: options.DurationSeconds,
                SpreadSeconds: options.SpreadSeconds,
                StopHalfAfterSeconds: options.StopHalfAfterSeconds,
                ExpirySeconds: options.ExpirySeconds,
                ReadIntervalMs: options.ReadIntervalMs);
        }).ToArray();
    }
}
