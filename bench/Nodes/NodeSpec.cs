namespace TixTrigger.Bench.Nodes;

/// <summary>How to start one node and how to tell it is ready.</summary>
internal sealed record NodeSpec(
    string Name,
    NodeRole Role,
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string ReadyText)
{
    /// <summary>The service's own settings: none of them may leak in from the shell that runs the bench.</summary>
    public static readonly IReadOnlyList<string> ServiceVariables =
    [
        "HOST", "PORT", "LOG_LEVEL", "WORKER_POOL_SIZE", "CLIENT_EXPIRATION_SECONDS", "MAX_CLIENTS_PER_IP", "MAX_CLIENTS",
        "GATEWAY_ID", "ORLEANS_SILO_PORT", "ORLEANS_GATEWAY_PORT", "DASHBOARD_PORT", "REDIS_CONNECTION", "CLUSTER_ID",
        "SERVICE_ID", "ADVERTISED_IP", "METRICS_PORT", "ASPNETCORE_URLS", "DOTNET_URLS", "STATE_DIR",
    ];

    /// <summary>A .NET node run as users run the built output: <c>dotnet the.dll</c>.</summary>
    public static NodeSpec Dotnet(string name, NodeRole role, string assembly, IReadOnlyDictionary<string, string> environment, string readyText) =>
        new(name, role, "dotnet", [assembly], environment, readyText);
}
