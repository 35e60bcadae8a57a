using System.Globalization;
using TixTrigger.Bench.Native;

namespace TixTrigger.Bench.Measurement;

/// <summary>Reads a process's CPU time and resident memory from /proc, as `top` and `ps` do.</summary>
internal static class ProcFs
{
    private static readonly double ClockTicksPerSecond = Math.Max(1, Libc.sysconf(Libc.ScClockTicks));

    /// <summary>utime + stime of /proc/&lt;pid&gt;/stat in seconds (all threads; resolution one clock tick); null once the process is gone.</summary>
    public static double? CpuSeconds(int processId)
    {
        string? stat = Read($"/proc/{processId}/stat");
        if (stat is null) return null;
        // The command name (field 2) may hold spaces and parentheses; the fields after its closing one are plain.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 and 15 of the file are utime and stime: indexes 11 and 12 after the name.
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
    }

    /// <summary>VmRSS of /proc/&lt;pid&gt;/status in KiB; null once the process is gone.</summary>
    public static long? RssKib(int processId)
    {
        string? status = Read($"/proc/{processId}/status");
        string? line = status?.Split('\n').FirstOrDefault(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
