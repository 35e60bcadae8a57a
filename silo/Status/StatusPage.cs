using System.Globalization;
using System.Net;
using System.Text;
using TixTrigger.Protocol;

namespace TixTrigger.Silo.Status;

/// <summary>
/// The status page: plain HTML drawn on the server, so it shows its numbers in any browser (or
/// <c>curl</c>). A few lines of script redraw it every few seconds by fetching it again in place
/// (a meta refresh would reload the whole page, and never let a headless browser settle). The
/// redraw replaces only what lies below the search box, so it never eats what an operator types.
/// </summary>
public static class StatusPage
{
    public const int RefreshSeconds = 5;

    /// <param name="lookup">A phone looked up with the search box (<c>?ip=&amp;port=</c>), or the reason the query was not read.</param>
    public static string Render(StatusReport report, PhoneLookupSection? lookup = null)
    {
        var html = new StringBuilder();
        html.Append($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <title>TixTrigger status</title>
            <style>
            body { font: 15px system-ui, sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin: .5em 0 1.5em; }
            th, td { border: 1px solid #ccc; padding: .3em .7em; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            .bad { color: #b00; font-weight: bold; }
            .totals span { display: inline-block; margin-right: 2em; font-size: 1.3em; }
            </style></head><body>
            <h1>TixTrigger</h1>
            <form id="lookup" method="get" action="/status">Look up one phone:
            <input id="lookup-ip" name="ip" placeholder="IP address" value="{{Encode(lookup?.Ip ?? "")}}">
            <input id="lookup-port" name="port" placeholder="port (optional)" size="8" value="{{Encode(lookup?.Port ?? "")}}">
            <button type="submit">Look up</button></form>
            <div id="live">
            """);
        if (lookup is not null) PhoneLookupPage.Append(html, lookup);
        html.Append($$"""
            <p class="totals"><span>clients <b id="total-clients">{{report.Total.Clients}}</b></span>
            <span>pings/s <b id="total-pings">{{Number(report.Total.PingsPerSecond)}}</b></span>
            <span>late <b>{{Percent(report.Total.LateFraction)}}</b></span></p>
            <h2>Gateways</h2>
            <table id="gateways"><tr><th>gateway</th><th>UDP</th><th>clients</th><th>pings/s</th><th>late pings</th><th>heartbeats/s</th><th>drops by reason</th><th>send errors</th><th>shards in step</th><th>report age</th></tr>
            """);
        foreach (var (gateway, age) in report.Gateways)
        {
            string drops = string.Join(", ", gateway.Drops.Where(drop => drop.Value > 0).Select(drop => $"{drop.Key} {drop.Value}"));
            html.Append($"""
                <tr class="gateway"><td>{Encode(gateway.GatewayId)}</td><td>{Encode(gateway.UdpEndpoint)}</td>
                <td class="clients">{gateway.Clients}</td><td class="pings">{Number(gateway.PingsPerSecond)}</td>
                <td class="{(gateway.LateFraction > 0.01 ? "bad" : "")}">{Percent(gateway.LateFraction)}</td>
                <td>{Number(gateway.HeartbeatsPerSecond)}</td><td>{(drops.Length == 0 ? "none" : Encode(drops))}</td>
                <td>{gateway.PingSendErrors}</td><td>{gateway.SyncedShards} / {gateway.Shards}</td><td>{age:F0} s</td></tr>
                """);
        }
        if (report.Gateways.Length == 0) html.Append(CultureInfo.InvariantCulture, $"<tr><td colspan=\"10\">no gateway has reported in the last {ClusterTiming.GatewayGoneAfterMs / 1000} s</td></tr>");
        html.Append("</table>\n<h2>Silos</h2>\n<table id=\"silos\"><tr><th>silo</th><th>status</th><th>shards</th></tr>\n");
        foreach (var silo in report.Silos)
        {
            html.Append($"<tr class=\"silo\"><td>{Encode(silo.Address)}</td><td>{silo.Status}</td><td>{silo.Shards}</td></tr>\n");
        }
        html.Append($$"""
            </table>
            <p>Served by silo {{Encode(report.Silo)}} at {{report.GeneratedAt:u}}.
            Grains, calls and silos in detail: <a href="/dashboard">Orleans Dashboard</a>. Raw data: <a href="/status.json">/status.json</a>. Metrics: <a href="/metrics">/metrics</a>.</p>
            </div>
            <script>
            setInterval(async () => {
              const response = await fetch(location.href, { cache: "no-store" });
              if (!response.ok) return;
              const live = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("live");
              if (live) document.getElementById("live").innerHTML = live.innerHTML;
            }, {{RefreshSeconds * 1000}});
            </script>
            </body></html>
            """);
        return html.ToString();
    }

    internal static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Number(double value) => value.ToString(value >= 100 ? "F0" : "F1", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + " %";
}
