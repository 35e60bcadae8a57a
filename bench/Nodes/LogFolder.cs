namespace TixTrigger.Bench.Nodes;

/// <summary>Where a run's node logs go unless told otherwise: /tmp/tixtrigger-bench/KIND-TIME, beside the scripts' logs.</summary>
internal static class LogFolder
{
    public static string Create(string kind, string? requested)
    {
        string path = requested ?? Path.Combine(Path.GetTempPath(), "tixtrigger-bench", $"{kind}-{DateTime.Now:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
        Directory.CreateDirectory(path);
        return path;
    }
}
