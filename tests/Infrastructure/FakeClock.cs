namespace TixTrigger.Tests.Infrastructure;

/// <summary>A process's wall clock moved by libfaketime (Debian's faketime, installed by the test command); its monotonic clock untouched.</summary>
public static class FakeClock
{
    public static IReadOnlyDictionary<string, string> Offset(string offset)
    {
        string library = Directory.GetDirectories("/usr/lib")
            .Select(directory => Path.Combine(directory, "faketime", "libfaketime.so.1"))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("libfaketime is not installed: run the tests with ./tests/run.sh, which installs faketime.");
        return new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = library,
            ["FAKETIME"] = offset,
            ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
        };
    }
}
