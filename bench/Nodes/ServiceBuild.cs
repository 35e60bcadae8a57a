namespace TixTrigger.Bench.Nodes;

/// <summary>
/// Where the built service is: the Release outputs under a repository root (by default the one
/// this bench was built in), and the reference pinger, which is built and copied beside the bench.
/// </summary>
internal sealed record ServiceBuild(string Root)
{
    private const string Output = "bin/Release/net10.0";

    public string Silo => Path.Combine(Root, "silo", Output, "TixTrigger.Silo.dll");

    public string Gateway => Path.Combine(Root, "gateway", Output, "TixTrigger.Gateway.dll");

    public static string Reference => Path.Combine(AppContext.BaseDirectory, "TixTrigger.Reference.dll");

    /// <summary>The repository the bench was built in: the folder above its output that holds TixTrigger.sln.</summary>
    public static string DefaultRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "TixTrigger.sln"))) return folder.FullName;
        }
        return Directory.GetCurrentDirectory();
    }

    /// <summary>Fails with the command that fixes it when a needed output is missing.</summary>
    public void Require(params string[] assemblies)
    {
        foreach (string assembly in assemblies)
        {
            if (!File.Exists(assembly)) throw new CannotMeasureException($"{assembly} is missing: build it first (cd {Root} && dotnet build TixTrigger.sln -c Release)");
        }
    }
}
