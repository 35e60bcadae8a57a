using System.Diagnostics;
using System.Text.RegularExpressions;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Compose;

/// <summary>
/// The container files, checked without a Docker engine: docker-compose validates and normalizes
/// docker-compose.yml, and the Dockerfile is read as text.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string Root = BuiltOutputs.RepositoryRoot;
    private static readonly string ComposeFile = Path.Combine(Root, "docker-compose.yml");
    private static readonly string[] OurServices = ["silo", "gateway-a", "gateway-b"];

    [Fact]
    public void Docker_compose_accepts_the_file()
    {
        var (exitCode, _, errors) = DockerCompose("config", "-q");

        Assert.True(exitCode == 0, $"docker-compose config -q exited {exitCode}:\n{errors}");
    }

    [Fact]
    public void Redis_persists_the_membership()
    {
        string redis = Service(NormalizedConfig(), "redis");

        Assert.Matches(@"(?m)^    command: .*--appendonly yes", redis);
        Assert.Matches(@"(?m)^    - [\w.-]+:/data(:rw)?$", redis); // a named volume, so the file outlives the container
        Assert.Matches(@"(?m)^    healthcheck:", redis);
    }

    [Fact]
    public void The_silo_publishes_only_a_port_range_so_it_can_scale_and_only_on_the_hosts_loopback()
    {
        // docker-compose prints a port with a host address in the short form.
        var ports = Regex.Matches(Service(NormalizedConfig(), "silo"), @"(?m)^    - ([\d.]+):(\d+-\d+):(\d+)(/tcp)?$").ToList();

        Assert.Single(ports);
        Assert.Equal(("127.0.0.1", "8080-8089", "8080"), (ports[0].Groups[1].Value, ports[0].Groups[2].Value, ports[0].Groups[3].Value));
    }

    [Fact]
    public void Monitoring_runs_only_with_its_profile_and_publishes_on_the_hosts_loopback()
    {
        var (exitCode, _, errors) = DockerCompose("--profile", "monitoring", "config", "-q");
        Assert.True(exitCode == 0, $"docker-compose --profile monitoring config -q exited {exitCode}:\n{errors}");
        string config = DockerCompose("--profile", "monitoring", "config").Output.ReplaceLineEndings("\n");

        foreach (string name in new[] { "prometheus", "grafana" })
        {
            string service = Service(config, name);
            Assert.Matches(@"(?m)^    profiles:\n    - monitoring$", service);
            Assert.All(Regex.Matches(service, @"(?m)^    - ([\d.]+):\d+:\d+(/tcp)?$"), port => Assert.Equal("127.0.0.1", port.Groups[1].Value));
        }
        Assert.Contains("./deploy/prometheus:/etc/prometheus", File.ReadAllText(ComposeFile));
        Assert.Contains("./deploy/grafana/dashboards:", File.ReadAllText(ComposeFile));
    }

    [Fact]
    public void Every_node_has_a_compose_healthcheck_that_asks_its_readiness()
    {
        string config = NormalizedConfig();

        Assert.All(OurServices, name => Assert.Matches(@"(?m)^    healthcheck:\n(?:      \w+: .*\n)*      test:\n      - CMD\n      - dotnet\n      - TixTrigger\.\w+\.dll\n      - --healthcheck$", Service(config, name)));
    }

    [Fact]
    public void The_gateways_take_udp_7561_and_7562_on_the_hosts_network_so_they_see_each_phones_own_address()
    {
        string config = NormalizedConfig();
        var gateways = new[] { "gateway-a", "gateway-b" }.Select(name => Service(config, name)).ToList();

        // Docker's NAT and userland proxy would show the proxy, or the host, as every client's source.
        Assert.All(gateways, gateway => Assert.Matches(@"(?m)^    network_mode: host$", gateway));
        Assert.All(gateways, gateway => Assert.Empty(Ports(gateway)));
        Assert.Equal(["7561", "7562"], gateways.Select(gateway => EnvironmentOf(gateway)["PORT"]).Order());
        // One network for both: each needs its own HTTP port too.
        Assert.Equal(2, gateways.Select(gateway => EnvironmentOf(gateway)["METRICS_PORT"]).Distinct().Count());
    }

    [Fact]
    public void The_gateways_get_the_ping_senders_priority_and_no_other_capability()
    {
        string config = NormalizedConfig();

        Assert.All(new[] { "gateway-a", "gateway-b" }.Select(name => Service(config, name)), gateway =>
        {
            Assert.Matches(@"(?m)^    cap_add:\n    - SYS_NICE\n    \w", gateway);
            // The launcher that carries the file capability (the image's default entrypoint needs none).
            Assert.Matches(@"(?m)^    entrypoint:\n    - /app/TixTrigger\.Gateway$", gateway);
        });
        Assert.Matches(@"(?m)^\s*&& setcap cap_sys_nice\+ep /app/TixTrigger\.Gateway", Stage("gateway"));
    }

    [Fact]
    public void Every_service_running_our_code_joins_the_cluster_through_redis()
    {
        string config = NormalizedConfig();
        var built = ServiceNames(config).Where(name => Regex.IsMatch(Service(config, name), @"(?m)^    build:")).Order().ToList();
        // Redis is published for the gateways on the host's network, on the host's loopback only.
        var published = Regex.Matches(Service(config, "redis"), @"(?m)^    - ([\d.]+):(\d+):6379(/tcp)?$").ToList();
        Assert.Single(published);
        Assert.Equal("127.0.0.1", published[0].Groups[1].Value);

        Assert.Equal(OurServices.Order(), built);
        Assert.Equal("redis:6379", EnvironmentOf(Service(config, "silo")).GetValueOrDefault("REDIS_CONNECTION"));
        Assert.All(new[] { "gateway-a", "gateway-b" }, name =>
            Assert.Equal($"127.0.0.1:{published[0].Groups[2].Value}", EnvironmentOf(Service(config, name)).GetValueOrDefault("REDIS_CONNECTION")));
    }

    [Fact]
    public void Each_gateway_has_its_own_fixed_id()
    {
        string config = NormalizedConfig();
        var ids = new[] { "gateway-a", "gateway-b" }
            .Select(name => EnvironmentOf(Service(config, name)).GetValueOrDefault("GATEWAY_ID"))
            .ToList();

        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(id), "every gateway needs GATEWAY_ID"));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Every_environment_variable_is_one_the_settings_read()
    {
        var known = Directory.GetFiles(Path.Combine(Root, "shared", "Settings"), "*.cs")
            .SelectMany(file => Regex.Matches(File.ReadAllText(file), "\"([A-Z][A-Z0-9_]+)\"").Select(match => match.Groups[1].Value))
            .ToHashSet();
        Assert.Contains("REDIS_CONNECTION", known); // the scan itself works
        string config = NormalizedConfig();

        var unknown = OurServices
            .SelectMany(name => EnvironmentOf(Service(config, name)).Keys.Where(variable => !known.Contains(variable)).Select(variable => $"{name}: {variable}"))
            .ToList();

        Assert.True(unknown.Count == 0, $"not read by shared/Settings: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void Nodes_get_more_time_to_stop_than_the_hosts_take_before_docker_kills_them()
    {
        string config = NormalizedConfig();

        // The hosts give up stopping after 30 s (HostOptions' default): a silo hands on its shards, a gateway its newest clients.
        Assert.All(OurServices, name => Assert.Matches(@"(?m)^    stop_grace_period: (3[1-9]|[4-9]\d)s$", Service(config, name)));
    }

    [Fact]
    public void The_silo_image_builds_with_the_sdk_and_runs_on_aspnet_as_a_non_root_user() =>
        AssertImage("silo", "TixTrigger.Silo.csproj");

    [Fact]
    public void The_gateway_image_builds_with_the_sdk_and_runs_on_aspnet_as_a_non_root_user() =>
        AssertImage("gateway", "TixTrigger.Gateway.csproj");

    [Fact]
    public void Each_of_our_services_builds_its_own_stage_of_the_one_dockerfile()
    {
        string config = NormalizedConfig();
        foreach (var (service, stage) in new[] { ("silo", "silo"), ("gateway-a", "gateway"), ("gateway-b", "gateway") })
        {
            Assert.Matches(@"(?m)^      target: " + stage + "$", Service(config, service));
        }
    }

    private static string Dockerfile => File.ReadAllText(Path.Combine(Root, "Dockerfile"));

    /// <summary>A stage of the Dockerfile: from its FROM to the next.</summary>
    private static string Stage(string name)
    {
        var stages = Regex.Matches(Dockerfile, @"(?im)^FROM\s+\S+\s+AS\s+(\S+)\s*$").ToList();
        int index = stages.FindIndex(stage => stage.Groups[1].Value == name);
        Assert.True(index >= 0, $"the Dockerfile has no stage '{name}'");
        int end = index + 1 < stages.Count ? stages[index + 1].Index : Dockerfile.Length;
        return Dockerfile[stages[index].Index..end];
    }

    /// <summary>The image's stage, and the stages it is built on, back to the SDK's.</summary>
    private static void AssertImage(string stage, string projectFile)
    {
        string own = Stage(stage);
        string runtimeBase = Regex.Match(own, @"(?im)^FROM\s+(\S+)").Groups[1].Value;
        string runtime = Stage(runtimeBase);
        Assert.Matches(@"(?im)^FROM\s+mcr\.microsoft\.com/dotnet/aspnet:10\.0\s", runtime);
        Assert.Matches(@"(?im)^FROM\s+mcr\.microsoft\.com/dotnet/sdk:10\.0\s+AS\s+build", Dockerfile);

        // What the image runs is decided in its own stage.
        var user = Regex.Match(own, @"(?im)^USER\s+(\S+)");
        Assert.True(user.Success, $"the Dockerfile's {stage} stage runs as root: it has no USER");
        Assert.DoesNotMatch(@"^(root|0)(:|$)", user.Groups[1].Value);

        string csproj = File.ReadAllText(Path.Combine(Root, stage, projectFile));
        string dll = Regex.Match(csproj, "<AssemblyName>([^<]+)</AssemblyName>").Groups[1].Value + ".dll";
        Assert.Matches(@"(?m)^COPY --from=build /app/" + stage + " \\.$", own);
        Assert.Matches(@"(?m)^ENTRYPOINT\s+\[\s*""dotnet""\s*,\s*""" + Regex.Escape(dll) + @"""\s*\]", own);
        Assert.Matches(@"(?m)^\s*CMD\s+\[\s*""dotnet""\s*,\s*""" + Regex.Escape(dll) + @"""\s*,\s*""--healthcheck""\s*\]", own);

        // The restore layer needs every project the published one references.
        var references = Regex.Matches(csproj, @"<ProjectReference Include=""\.\./([^""]+)""").Select(match => match.Groups[1].Value);
        Assert.All(references.Append($"{stage}/{projectFile}"), reference => Assert.Contains($"COPY {reference} ", Dockerfile));
    }

    private static string NormalizedConfig()
    {
        var (exitCode, output, errors) = DockerCompose("config");
        Assert.True(exitCode == 0, $"docker-compose config exited {exitCode}:\n{errors}");
        return output.ReplaceLineEndings("\n");
    }

    private static IEnumerable<string> ServiceNames(string config) =>
        Regex.Matches(ServicesSection(config), @"(?m)^  ([\w.-]+):$").Select(match => match.Groups[1].Value);

    /// <summary>The lines of one service in the normalized config (two-space indents, keys sorted).</summary>
    private static string Service(string config, string name)
    {
        var match = Regex.Match(ServicesSection(config), @"(?m)^  " + Regex.Escape(name) + @":\n((?:   .*\n?)*)");
        Assert.True(match.Success, $"docker-compose.yml has no service {name}");
        return match.Groups[1].Value;
    }

    private static string ServicesSection(string config)
    {
        var match = Regex.Match(config, @"(?m)^services:\n((?:  .*\n?)*)");
        Assert.True(match.Success, "no services: in\n" + config);
        return match.Groups[1].Value;
    }

    private static Dictionary<string, string> EnvironmentOf(string service)
    {
        var block = Regex.Match(service, @"(?m)^    environment:\n((?:      .*\n?)*)");
        return Regex.Matches(block.Groups[1].Value, @"(?m)^      ([^:\s]+):\s*(.*?)\s*$")
            .ToDictionary(match => match.Groups[1].Value, match => Unquote(match.Groups[2].Value));
    }

    /// <summary>The long-form port entries: <c>- protocol: udp</c> / <c>  published: 7561</c> / <c>  target: 7561</c>.</summary>
    private static List<Dictionary<string, string>> Ports(string service)
    {
        var block = Regex.Match(service, @"(?m)^    ports:\n((?:    [- ] .*\n?)*)");
        return Regex.Split(block.Groups[1].Value, @"(?m)^    - ")
            .Where(entry => entry.Trim().Length > 0)
            .Select(entry => Regex.Matches(entry, @"(?m)^(?:      )?(\w+):\s*(.*?)\s*$")
                .ToDictionary(match => match.Groups[1].Value, match => Unquote(match.Groups[2].Value)))
            .ToList();
    }

    private static string Unquote(string value) => value.Trim('\'', '"');

    private static (int ExitCode, string Output, string Errors) DockerCompose(params string[] arguments)
    {
        string? executable = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "docker-compose"))
            .FirstOrDefault(File.Exists);
        Assert.True(executable is not null, "docker-compose is not on PATH: the test command (./tests/run.sh) installs it (apt-get install docker-compose).");

        var start = new ProcessStartInfo(executable, ["-f", ComposeFile, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"docker-compose {string.Join(' ', arguments)} did not finish within 60 s");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result, errors.Result);
    }
}
