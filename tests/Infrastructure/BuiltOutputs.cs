namespace TixTrigger.Tests.Infrastructure;

/// <summary>Where the hosts users run were built: the same configuration as these tests.</summary>
public static class BuiltOutputs
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static string Silo => Output("silo", "TixTrigger.Silo.dll");

    public static string Gateway => Output("gateway", "TixTrigger.Gateway.dll");

    private static string Output(string project, string assembly)
    {
        string path = Path.Combine(RepositoryRoot, project, "bin", Configuration, "net10.0", assembly);
        if (!File.Exists(path)) throw new FileNotFoundException($"Build the solution first: {path} is missing.");
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TixTrigger.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("TixTrigger.sln not found above " + AppContext.BaseDirectory);
    }
}
