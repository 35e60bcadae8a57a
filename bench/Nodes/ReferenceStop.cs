using System.Globalization;
using System.Text.RegularExpressions;

namespace TixTrigger.Bench.Nodes;

/// <summary>Stops reference pingers and reads, from the line each prints on stopping, how late it began its worst slot.</summary>
internal static partial class ReferenceStop
{
    public static async Task<double?> StopAndReadLatenessAsync(Deployment references)
    {
        var nodes = references.Nodes.Where(node => node.Spec.Role == NodeRole.Reference).ToArray();
        await Task.WhenAll(nodes.Select(node => node.StopAsync(TimeSpan.FromSeconds(5))));
        var lateness = nodes
            .Select(node => node.LastLineWith("reference stopped") is { } line && Lateness().Match(line) is { Success: true } match
                ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
                : (double?)null)
            .ToArray();
        return lateness.Max();
    }

    [GeneratedRegex(@"maxSlotLatenessMs=([0-9.]+)")]
    private static partial Regex Lateness();
}
