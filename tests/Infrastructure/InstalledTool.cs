using System.ComponentModel;
using System.Diagnostics;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>Starts a program that ./tests/run.sh installs (redis-server, prometheus, chromium), saying so if it is missing.</summary>
public static class InstalledTool
{
    /// <summary>Starts it with its output read line by line into <paramref name="onLine"/>.</summary>
    public static Process Start(string program, IEnumerable<string> arguments, Action<string> onLine)
    {
        var process = Start(program, arguments);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Starts it with its output redirected, for the caller to read.</summary>
    public static Process Start(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            return Process.Start(start)!;
        }
        catch (Win32Exception error)
        {
            throw new InvalidOperationException($"{program} is not installed: run the tests with ./tests/run.sh, which installs it.", error);
        }
    }
}
