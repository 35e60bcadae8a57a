namespace TixTrigger.Bench;

internal static class Usage
{
    public const string Text = """
        TixTrigger bench: simulates many UDP clients of a TixTrigger service and measures their pings.

        usage: TixTrigger.Bench --target ADDRESS:PORT [options]     measure a running service
               TixTrigger.Bench --self-check [options]              measure the reference pinger (the bench's own jitter)
               TixTrigger.Bench --compare single|cluster [options]  start the service, then the reference, same load

          --target A:P               the service, e.g. 127.0.0.1:7561 or [::1]:7561
          --targets A:P,B:P          several gateways; clients are spread over them round-robin
          --clients N                simulated clients, one UDP socket each (default 100)
          --heartbeat-seconds H      each client heartbeats (2 zero bytes) every H seconds (default 5)
          --duration D               seconds to run (default 30)
          --spread-seconds S         the first heartbeats are spread evenly over S seconds (default 1)
          --stop-half-after S        after S seconds half of the clients stop heartbeating (needs --expiry)
          --expiry E                 the service's CLIENT_EXPIRATION_SECONDS (with --compare: sets it)
          --bind ADDR[,ADDR...]      local addresses for the client sockets (default: loopback of the target's family;
                                     with --compare and --self-check, 127.0.1.1, .2, ... with at most 4,000 clients each);
                                     several spread the clients, e.g. to stay under the service's MAX_CLIENTS_PER_IP
          --require-within F         pass only if this fraction of intervals is within 1000 ± 50 ms (default 0.99)
          --clients-per-worker N     clients per worker process (default 10000, at most 19000)
          --read-interval-ms M       each worker reads its sockets every M ms (default 5; 0: as datagrams come);
                                     arrival times are the kernel's receive stamps either way, so batching costs no accuracy
          --wait-quiet S             before the load, wait up to S seconds until other processes on the machine use
                                     under 0.2 cores (default 0: do not wait); the report says how busy it was anyway
          --allow-non-loopback       permit target and bind addresses that are not loopback
          --self-check               measure against the reference pinger (bench/Reference) instead of a service,
                                     to see how much jitter the bench itself adds

        comparison (--compare single|cluster):
          single: the built silo alone (gateway built in); cluster: redis-server, --silos N silos, --gateways N
          standalone gateways. Then as many reference pingers as the service has UDP ports. Each on free ports,
          each measured for CPU (/proc/PID/stat) and RSS (/proc/PID/status) over the same load.
          --service-root DIR         repository whose Release build to run (default: the one this bench was built in)
          --only service|reference   measure one of the two only
          --gateways N, --silos N    cluster shape (default 2 and 2)
          --gateway-cpu-quota C      run each gateway (and each reference pinger) in its own cgroup v1 with C cores
          --silo-cpu-quota C         the same for each silo (single: the one silo)
          --cpu-period-ms P          CFS period of those quotas (default 10; the kernel's default is 100)
          --cgroup-prefix NAME       name of the quota groups under /sys/fs/cgroup/cpu (default tixtrigger-bench-PID)
          --service-env NAME=VALUE   an extra setting for the service's nodes, e.g. WORKER_POOL_SIZE=20 (repeatable)
          --idle-after S             leave a ready subject idle S seconds before sampling it (default 60: past most
                                     of .NET's start-up compilation)
          --idle-seconds S           idle memory and CPU are sampled for S seconds before the load (default 10)
          --settle-seconds S         cluster: time for the gateways to connect after they listen (default 3)
          --log-dir DIR              where the nodes' logs go (default /tmp/tixtrigger-bench/compare-...)
          thresholds the service must meet (exit code 1 otherwise):
          --require-on-time F        fraction of intervals within 1000 ± 50 ms (default 0.999; the reference's own
                                     fraction instead when that is lower in the same run)
          --max-missed N             clients with a gap over 1.5 s or no ping at all (default 0)
          --max-first-ping-p99-ms M  (default 1100)
          per-client costs (what the load adds over idle):
          --max-cpu-ratio R          CPU over idle per 1,000 pings/s, over the reference's (default 1.3)
          --max-rss-per-client-kib K RSS with the clients minus idle, all service processes, per client (default 2.5)
          fixed costs (each service process, idle):
          --max-idle-rss-mib M       (default 120)
          --max-idle-cpu-percent P   percent of a core (default 0.5)

        exit code: 0 pass, 1 a criterion failed (each is printed), 2 could not measure, 130 interrupted.
        The last line of output is the whole report as one JSON object.
        """;
}
