namespace TixTrigger.Bench;

internal static class Usage
{
    public const string Text = """
        TixTrigger bench: simulates many UDP clients of a TixTrigger service and measures their pings.

        usage: TixTrigger.Bench --target ADDRESS:PORT [options]

          --target A:P               the service, e.g. 127.0.0.1:7561 or [::1]:7561
          --targets A:P,B:P          several gateways; clients are spread over them round-robin
          --clients N                simulated clients, one UDP socket each (default 100)
          --heartbeat-seconds H      each client heartbeats (2 zero bytes) every H seconds (default 5)
          --duration D               seconds to run (default 30)
          --spread-seconds S         the first heartbeats are spread evenly over S seconds (default 1)
          --stop-half-after S        after S seconds half of the clients stop heartbeating (needs --expiry)
          --expiry E                 the service's CLIENT_EXPIRATION_SECONDS
          --bind ADDR[,ADDR...]      local addresses for the client sockets (default: loopback of the target's family);
                                     several spread the clients, e.g. to stay under the service's MAX_CLIENTS_PER_IP
          --require-within F         pass only if this fraction of intervals is within 1000 ± 50 ms (default 0.99)
          --clients-per-worker N     clients per worker process (default 4000, at most 19000)
          --allow-non-loopback       permit target and bind addresses that are not loopback
          --self-check               measure against the bench's own reference pinger instead of a service,
                                     to see how much jitter the bench itself adds

        exit code: 0 pass, 1 a criterion failed (each is printed), 2 could not measure, 130 interrupted.
        The last line of output is the whole report as one JSON object.
        """;
}
