using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TixTrigger.Tests.Infrastructure;

/// <summary>
/// One tab of Debian's headless chromium, driven as a person would drive it (click, type, press
/// Enter) over the DevTools protocol on loopback. A fresh profile each time; the browser is killed on dispose.
/// </summary>
public sealed class ChromiumPage : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private ChromiumPage(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <param name="headers">Sent with every request of the page (e.g. a basic-authentication login).</param>
    public static async Task<ChromiumPage> OpenAsync(string url, IReadOnlyDictionary<string, string>? headers = null)
    {
        string profile = Directory.CreateTempSubdirectory("tixtrigger-chromium-").FullName;
        var process = InstalledTool.Start("chromium",
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", "--window-size=1400,900", "about:blank",
        ], _ => { });
        var page = new ChromiumPage(process, profile);
        try
        {
            await page.ConnectAsync();
            if (headers is not null)
            {
                await page.SendAsync("Network.enable");
                var extra = new JsonObject();
                foreach (var (name, value) in headers) extra[name] = value;
                await page.SendAsync("Network.setExtraHTTPHeaders", new JsonObject { ["headers"] = extra });
            }
            await page.NavigateAsync(url);
            return page;
        }
        catch
        {
            await page.DisposeAsync();
            throw;
        }
    }

    /// <summary>The browser writes its DevTools port into the profile; the page's socket is listed at /json/list.</summary>
    private async Task ConnectAsync()
    {
        string portFile = Path.Combine(_profile, "DevToolsActivePort");
        if (!await Eventually.True(() => File.Exists(portFile) && File.ReadAllText(portFile).Contains('\n'), TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("chromium did not open its DevTools port within 30 s");
        }
        int port = int.Parse(File.ReadAllLines(portFile)[0]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string? socketUrl = null;
        await Eventually.True(async () =>
        {
            var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
            socketUrl = targets.FirstOrDefault(target => (string?)target!["type"] == "page")?["webSocketDebuggerUrl"]?.GetValue<string>();
            return socketUrl is not null;
        }, TimeSpan.FromSeconds(10));
        await _socket.ConnectAsync(new Uri(socketUrl ?? throw new InvalidOperationException("chromium lists no page")), CancellationToken.None);
        await SendAsync("Page.enable");
    }

    /// <summary>Loads <paramref name="url"/> and waits until it has loaded.</summary>
    public async Task NavigateAsync(string url)
    {
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        await WaitForAsync("document.readyState === 'complete' && location.href !== 'about:blank'");
    }

    /// <summary>Clicks into the element, as a person would, and types <paramref name="text"/> into it.</summary>
    public async Task TypeAsync(string selector, string text)
    {
        await EvaluateAsync($"document.querySelector({JsonSerializer.Serialize(selector)}).focus()");
        await SendAsync("Input.insertText", new JsonObject { ["text"] = text });
    }

    /// <summary>Presses and releases Enter in the focused element (in a form: submits it).</summary>
    public async Task PressEnterAsync()
    {
        foreach (string type in new[] { "keyDown", "keyUp" })
        {
            var key = new JsonObject { ["type"] = type, ["key"] = "Enter", ["code"] = "Enter", ["windowsVirtualKeyCode"] = 13, ["nativeVirtualKeyCode"] = 13 };
            if (type == "keyDown") key["text"] = "\r";
            await SendAsync("Input.dispatchKeyEvent", key);
        }
    }

    /// <summary>The value of a JavaScript expression in the page.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var reply = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true });
        if (reply["exceptionDetails"] is { } exception) throw new InvalidOperationException($"{expression}: {exception.ToJsonString()}");
        return reply["result"]?["value"];
    }

    /// <summary>Waits until a JavaScript expression is truthy in the page (a navigation in between is fine).</summary>
    public async Task WaitForAsync(string expression, TimeSpan? timeout = null)
    {
        if (!await Eventually.True(async () => (await EvaluateAsync($"!!({expression})"))?.GetValue<bool>() == true, timeout ?? TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"never true in the page: {expression}; the page: {await EvaluateAsync("document.body ? document.body.innerText : ''")}");
        }
    }

    public async Task<string> TextAsync(string selector) =>
        (await EvaluateAsync($"(document.querySelector({JsonSerializer.Serialize(selector)}) || {{}}).innerText || ''"))?.GetValue<string>() ?? "";

    public async Task ScreenshotAsync(string path)
    {
        var reply = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(reply["data"]!.GetValue<string>()));
    }

    /// <summary>Sends one DevTools command and returns its result; events in between are passed over.</summary>
    private async Task<JsonNode> SendAsync(string method, JsonObject? parameters = null)
    {
        int id = ++_nextId;
        var command = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        using var timeout = new CancellationTokenSource(CommandTimeout);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(command.ToJsonString()), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer, timeout.Token);
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);
            var reply = JsonNode.Parse(message.ToArray())!;
            if ((int?)reply["id"] != id) continue;
            if (reply["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            return reply["result"]!;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open) await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
        _socket.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // chromium's last writes may race the delete; a temp directory left behind harms nothing.
        }
    }
}
