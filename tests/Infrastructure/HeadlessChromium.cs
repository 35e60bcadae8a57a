
namespace TixTrigger.Tests.Infrastructure;

/// <summary>A page as a person sees it: Debian's chromium, headless, with a fresh profile each time.</summary>
public static class HeadlessChromium
{
    /// <summary>Loads <paramref name="url"/>, saves a screenshot, and returns the DOM the browser ended up with.</summary>
    public static async Task<string> ScreenshotAsync(string url, string screenshotPath)
    {
        string profile = Directory.CreateTempSubdirectory("tixtrigger-chromium-").FullName;
        try
        {
            await RunAsync(profile, [$"--screenshot={screenshotPath}", "--window-size=1400,900", url]);
            return await RunAsync(profile, ["--dump-dom", url]);
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    private static async Task<string> RunAsync(string profile, string[] arguments)
    {
        using var process = InstalledTool.Start("chromium",
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", "--virtual-time-budget=6000",
            .. arguments,
        ]);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not finish within 60 s: " + await errors);
        }
        return await output;
    }
}
