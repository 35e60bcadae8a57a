using System.Diagnostics;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Compose;

/// <summary>
/// The project's own docker-compose.yml, up on a real Docker engine for the tests of one class and down
/// (containers, networks, volumes) after them. The engine and the images come from ./tests/run.sh
/// (scripts/docker-engine.sh, scripts/container-images.sh); each service's log is kept in tests/TestResults/.
/// </summary>
public sealed class ComposeCluster : IAsyncLifetime
{
    public const string Gateways = "gateway-a gateway-b";
    /// <summary>Few enough that one source address over it is refused: the per-address rule shows the gateway tells sources apart.</summary>
    public const int MaxClientsPerIp = 2;
    private static readonly string Root = BuiltOutputs.RepositoryRoot;
    private static readonly string Docker = File.Exists("/usr/bin/docker") ? "/usr/bin/docker" : "docker";

    public string Project { get; } = Environment.GetEnvironmentVariable("TIXTRIGGER_COMPOSE_PROJECT") ?? "tixtrigger-compose-test";

    public TimeSpan UpTime { get; private set; }

    public async Task InitializeAsync()
    {
        var started = Stopwatch.StartNew();
        // Nothing left over from an interrupted run: its Redis would hold a dead membership.
        await RunAsync(TimeSpan.FromMinutes(2), "down", "-v", "--remove-orphans");
        await ComposeAsync(TimeSpan.FromMinutes(10), "up", "-d");
        await AwaitHealthyAsync(1, TimeSpan.FromMinutes(3));
        UpTime = started.Elapsed;
    }

    public async Task DisposeAsync()
    {
        string logs = Path.Combine(Root, "tests", "TestResults", $"compose-{DateTime.UtcNow:yyyyMMddTHHmmssZ}.log");
        Directory.CreateDirectory(Path.GetDirectoryName(logs)!);
        await File.WriteAllTextAsync(logs, (await RunAsync(TimeSpan.FromMinutes(1), "logs", "--no-color", "--timestamps")).Output);
        await ComposeAsync(TimeSpan.FromMinutes(2), "down", "-v", "--remove-orphans", "--timeout", "40");
    }

    /// <summary>Waits until every container of the project is healthy and there are <paramref name="silos"/> silos; says which is not if not.</summary>
    public async Task AwaitHealthyAsync(int silos, TimeSpan timeout)
    {
        IReadOnlyList<(string Service, string Health)> states = [];
        bool healthy = await Eventually.True(async () =>
        {
            states = await HealthAsync();
            return states.Count(s => s.Service == "silo") == silos
                && states.Select(s => s.Service).Distinct().Count() == 4
                && states.All(s => s.Health == "healthy");
        }, timeout);
        Assert.True(healthy, $"compose services not all healthy after {timeout.TotalSeconds:0} s: {string.Join(", ", states.Select(s => $"{s.Service}={s.Health}"))}");
    }

    /// <summary>Each running container of the project: its service and Docker's health status of it.</summary>
    public async Task<IReadOnlyList<(string Service, string Health)>> HealthAsync()
    {
        var ids = (await RunAsync(TimeSpan.FromSeconds(30), "ps", "-q")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length == 0) return [];
        var (_, output, _) = await DockerAsync(TimeSpan.FromSeconds(30), ["inspect", "-f", "{{index .Config.Labels \"com.docker.compose.service\"}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}", .. ids]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(words => words[1] == "running")
            .Select(words => (words[0], words.Length > 2 ? words[2] : "no-healthcheck"))
            .ToList();
    }

    /// <summary>The container ids of a service's running replicas.</summary>
    public async Task<IReadOnlyList<string>> ContainersAsync(string service) =>
        (await ComposeAsync(TimeSpan.FromSeconds(30), "ps", "-q", service)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The host's PID of a container's main process (the host shares its PID namespace view).</summary>
    public async Task<int> HostPidAsync(string container) =>
        int.Parse((await DockerAsync(TimeSpan.FromSeconds(30), ["inspect", "-f", "{{.State.Pid}}", container])).Output.Trim());

    public async Task<string> ComposeAsync(TimeSpan timeout, params string[] arguments)
    {
        var (exitCode, output, errors) = await RunAsync(timeout, arguments);
        Assert.True(exitCode == 0, $"docker-compose {string.Join(' ', arguments)} exited {exitCode}:\n{Tail(errors)}\n{Tail(output)}");
        return output;
    }

    public static async Task<(int ExitCode, string Output, string Errors)> DockerAsync(TimeSpan timeout, string[] arguments)
    {
        var result = await Execute(Docker, arguments, timeout, []);
        Assert.True(result.ExitCode == 0, $"docker {string.Join(' ', arguments)} exited {result.ExitCode}:\n{Tail(result.Errors)}");
        return result;
    }

    private Task<(int ExitCode, string Output, string Errors)> RunAsync(TimeSpan timeout, params string[] arguments) =>
        Execute("docker-compose", ["-p", Project, "-f", Path.Combine(Root, "docker-compose.yml"), .. arguments], timeout, Settings());

    /// <summary>scripts/compose-upgrade.sh on this project: its exit code and output.</summary>
    public Task<(int ExitCode, string Output, string Errors)> UpgradeAsync(string service) =>
        Execute(Path.Combine(Root, "scripts", "compose-upgrade.sh"), [service, "-p", Project, "-f", Path.Combine(Root, "docker-compose.yml")], TimeSpan.FromMinutes(2), Settings());

    // The per-address rule tightened for these tests (the file's own default otherwise).
    private static Dictionary<string, string> Settings() =>
        new() { ["MAX_CLIENTS_PER_IP"] = MaxClientsPerIp.ToString(), ["DOCKER_HOST"] = Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "" };

    private static async Task<(int ExitCode, string Output, string Errors)> Execute(string program, string[] arguments, TimeSpan timeout, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
        {
            if (value.Length > 0) start.Environment[name] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s");
        }
        return (process.ExitCode, await output, await errors);
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(30));
}
