using System.Globalization;
using System.Text;

namespace TixTrigger.Silo.Status;

/// <summary>What the search box asked (as typed), and the lookup's answer or why there is none.</summary>
public sealed record PhoneLookupSection(string Ip, string Port, PhoneLookupReport? Report, string? Error);

/// <summary>The status page's section for one phone looked up: where it is held, since when, its last heartbeat, its deadline, and what refused it.</summary>
internal static class PhoneLookupPage
{
    public static void Append(StringBuilder html, PhoneLookupSection section)
    {
        html.Append("<section id=\"lookup-result\">\n");
        if (section.Report is not { } report)
        {
            html.Append($"<h2>Phone lookup</h2>\n<p class=\"bad\" id=\"lookup-error\">{Encode(section.Error ?? "")}</p>\n</section>\n");
            return;
        }
        html.Append($"<h2>Phone {Encode(report.Query)}</h2>\n");
        var silent = report.Gateways.Where(gateway => !gateway.Answered).ToList();
        html.Append($"<p>Asked {report.Gateways.Length} gateway(s) at {report.GeneratedAt:u}")
            .Append(silent.Count == 0 ? "; all answered." : $"; <span class=\"bad\" id=\"lookup-unanswered\">no answer from {Encode(string.Join(", ", silent.Select(gateway => $"{gateway.Gateway} ({gateway.Error})")))}</span>.")
            .Append(report.Gateways.Any(gateway => gateway.Truncated) ? " Some gateway had more matches than shown." : "")
            .Append("</p>\n");

        if (report.Phones.Length == 0) html.Append("<p id=\"lookup-none\">No gateway pings a client at this address, and no client partition records one.</p>\n");
        html.Append("<table id=\"lookup-clients\"><tr><th>client</th><th>gateway</th><th>shard</th><th>since</th><th>last heartbeat</th><th>deadline</th><th>pings sent</th><th>registration</th><th>echo rule</th><th>flags</th><th>owner (client partition)</th><th>shard grain deadline</th></tr>\n");
        foreach (var phone in report.Phones)
        {
            string owner = phone.Owner is { } o ? $"{o.Gateway}/{o.Shard}, heard {Time(o.HeardAt, report)}" : phone.ClusterError is { } error ? $"unknown: {error}" : "none";
            string shard = phone.Shard is { } s ? Time(s.Deadline, report) : "none";
            if (phone.Gateways.Length == 0)
            {
                html.Append($"<tr class=\"lookup-client\"><td class=\"client\">{Encode(phone.Client)}</td><td class=\"gateway\" colspan=\"9\">held by no gateway that answered</td><td class=\"owner\">{Encode(owner)}</td><td>{Encode(shard)}</td></tr>\n");
                continue;
            }
            foreach (var at in phone.Gateways)
            {
                html.Append($"""
                    <tr class="lookup-client"><td class="client">{Encode(phone.Client)}</td><td class="gateway">{Encode(at.Gateway)}</td>
                    <td class="shard">{at.Shard}</td><td class="since">{Time(at.Since, report)}</td>
                    <td class="last-heartbeat">{Time(at.LastHeartbeat, report)}</td>
                    <td class="deadline{(at.Pinged ? "" : " bad")}">{Time(at.Deadline, report)}{(at.Pinged ? "" : " (passed: not pinged)")}</td>
                    <td class="pings-sent">{at.PingsSent}</td><td class="registration">{Encode(at.Registration)}</td>
                    <td class="echo-rule{(at.EchoRule is "echo" or "trigger" ? " bad" : "")}">{Encode(at.EchoRule)}</td>
                    <td class="flags">{Encode(at.Flags.Length == 0 ? "none" : string.Join(", ", at.Flags))}</td>
                    <td class="owner">{Encode(owner)}</td><td class="shard-deadline">{Encode(shard)}</td></tr>

                    """);
            }
        }
        html.Append("</table>\n");

        html.Append("<h3>Refused lately</h3>\n");
        if (report.Refusals.Length == 0)
        {
            html.Append("<p id=\"lookup-no-refusals\">No gateway that answered refused this address lately.</p>\n");
        }
        else
        {
            html.Append("<table id=\"lookup-refusals\"><tr><th>source</th><th>gateway</th><th>reason</th><th>datagrams</th><th>first</th><th>last</th></tr>\n");
            foreach (var refusal in report.Refusals)
            {
                html.Append($"""
                    <tr class="lookup-refusal"><td class="client">{Encode(refusal.Client)}</td><td class="gateway">{Encode(refusal.Gateway)}</td>
                    <td class="reason bad">{Encode(refusal.Reason)}</td><td class="count">{refusal.Count}</td>
                    <td>{Time(refusal.First, report)}</td><td>{Time(refusal.Last, report)}</td></tr>

                    """);
            }
            html.Append("</table>\n");
        }
        html.Append("<p>What each reason means: the rules in docs/ABUSE.md. As JSON: <a href=\"")
            .Append(Encode(JsonLink(section)))
            .Append("\">/status/clients</a>.</p>\n</section>\n");
    }

    /// <summary>A time as UTC, and how far from now, in seconds: "12:00:01Z (3.2 s ago)".</summary>
    private static string Time(DateTimeOffset at, PhoneLookupReport report)
    {
        double seconds = (report.GeneratedAt - at).TotalSeconds;
        string relative = seconds >= 0 ? $"{seconds.ToString("F1", CultureInfo.InvariantCulture)} s ago" : $"in {(-seconds).ToString("F1", CultureInfo.InvariantCulture)} s";
        return $"{at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}Z ({relative})";
    }

    private static string JsonLink(PhoneLookupSection section) =>
        $"/status/clients?ip={Uri.EscapeDataString(section.Ip)}{(section.Port.Length == 0 ? "" : $"&port={Uri.EscapeDataString(section.Port)}")}";

    private static string Encode(string text) => StatusPage.Encode(text);
}
