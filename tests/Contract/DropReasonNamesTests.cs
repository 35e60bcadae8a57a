using System.Text.RegularExpressions;
using TixTrigger.Gateway;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Contract;

/// <summary>
/// Every drop reason the deployment's alerts and dashboards name is one the gateway counts
/// (<see cref="DropReason"/>, exported as the <c>reason</c> label of <c>tixtrigger_drops_total</c>):
/// a misspelt one matches no series and its alert never fires.
/// </summary>
public sealed partial class DropReasonNamesTests
{
    private static readonly string Deploy = Path.Combine(BuiltOutputs.RepositoryRoot, "deploy");

    [Fact]
    public void Every_drop_reason_named_under_deploy_is_a_DropReason()
    {
        var files = Directory.EnumerateFiles(Deploy, "*", SearchOption.AllDirectories)
            .Where(path => Path.GetExtension(path) is ".yml" or ".yaml" or ".json")
            .ToList();
        Assert.NotEmpty(files);
        var unknown = files
            .SelectMany(path => Unknown(File.ReadAllText(path)).Select(name => $"{Path.GetRelativePath(BuiltOutputs.RepositoryRoot, path)}: {name}"))
            .ToList();
        Assert.True(unknown.Count == 0, "Not drop reasons: " + string.Join("; ", unknown));
    }

    [Fact]
    public void The_check_catches_a_reason_that_does_not_exist()
    {
        Assert.Equal(["Overloaded"], Unknown("# Drops by reason (Oversize, OverIpLimit, OverCapacity, Overloaded, ...) growing faster than"));
        Assert.Equal(["Overload"], Unknown("""rate(tixtrigger_drops_total{reason=~"Echo|Overload"}[5m])"""));
        Assert.Empty(Unknown("""rate(tixtrigger_drops_total{reason="OverPrefixBudget"}[5m])"""));
    }

    /// <summary>The names in a <c>reason</c> label matcher, or in a "drops by reason (…)" list, that are no <see cref="DropReason"/>.</summary>
    private static IEnumerable<string> Unknown(string text)
    {
        var matched = LabelMatcher().Matches(text).Select(match => match.Groups["names"].Value.Split('|'));
        var listed = ReasonList().Matches(text).Select(match => match.Groups["names"].Value.Split(','));
        return matched.Concat(listed)
            .SelectMany(names => names)
            .Select(name => name.Trim())
            .Where(name => name is not ("" or "..." or "…" or ".*") && !Enum.TryParse<DropReason>(name, ignoreCase: false, out _));
    }

    [GeneratedRegex(@"\breason\s*(?:=~|!~|!=|=)\s*\\?""(?<names>[^""\\]*)")]
    private static partial Regex LabelMatcher();

    [GeneratedRegex(@"[Dd]rops by reason \((?<names>[^)]*)\)")]
    private static partial Regex ReasonList();
}
