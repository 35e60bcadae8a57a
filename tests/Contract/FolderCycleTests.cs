using System.Text.RegularExpressions;
using TixTrigger.Tests.Infrastructure;

namespace TixTrigger.Tests.Contract;

/// <summary>
/// No two folders of the gateway depend on each other, however indirectly: a newcomer reads a
/// folder knowing only the folders below it. A folder depends on another when its code names a type
/// declared only there (with or without a <c>using</c>). The files directly in <c>gateway/</c> are
/// not a folder: their namespace is the parent of every folder's, the gateway's common vocabulary
/// (<c>DropReason</c>, <c>GatewayMetrics</c>) beside the process that wires the folders together.
/// </summary>
public sealed partial class FolderCycleTests
{
    private static readonly string Gateway = Path.Combine(BuiltOutputs.RepositoryRoot, "gateway");

    [Fact]
    public void No_two_gateway_folders_depend_on_each_other()
    {
        var edges = Dependencies(Gateway);
        var cycles = Cycles(edges).ToList();
        Assert.True(cycles.Count == 0, "Folder cycles:\n" + string.Join('\n', cycles.Select(cycle => Describe(cycle, edges))));
    }

    [Fact]
    public void The_check_sees_a_cycle_made_through_a_type_name()
    {
        var root = Directory.CreateTempSubdirectory("folders").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "A"));
            Directory.CreateDirectory(Path.Combine(root, "B"));
            File.WriteAllText(Path.Combine(root, "A", "One.cs"), "namespace X.A;\ninternal sealed class One { B.Two? _two; }\n");
            File.WriteAllText(Path.Combine(root, "B", "Two.cs"), "using X.A;\nnamespace X.B;\ninternal enum Two { }\n// One, in a comment, is no dependency\ninternal static class Three { public static One? Of() => null; }\n");
            Assert.Equal(["A <-> B"], Cycles(Dependencies(root)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Folder → folder → the types it names there.</summary>
    private static Dictionary<string, Dictionary<string, SortedSet<string>>> Dependencies(string root)
    {
        var sources = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(path => (Folder: FolderOf(root, path), Code: Code(File.ReadAllText(path))))
            .Where(file => file.Folder is not null)
            .ToList();
        var homes = new Dictionary<string, HashSet<string>>();
        foreach (var (folder, code) in sources)
        {
            foreach (Match declared in Declaration().Matches(code))
            {
                if (declared.Groups["private"].Success) continue;
                (homes.TryGetValue(declared.Groups["name"].Value, out var set) ? set : homes[declared.Groups["name"].Value] = []).Add(folder!);
            }
        }
        var edges = new Dictionary<string, Dictionary<string, SortedSet<string>>>();
        foreach (var (folder, code) in sources)
        {
            foreach (Match word in Identifier().Matches(code))
            {
                if (!homes.TryGetValue(word.Value, out var home) || home.Count != 1) continue;
                string other = home.Single();
                if (other == folder) continue;
                var to = edges.TryGetValue(folder!, out var found) ? found : edges[folder!] = [];
                (to.TryGetValue(other, out var types) ? types : to[other] = []).Add(word.Value);
            }
        }
        return edges;
    }

    /// <summary>Every pair of folders that reach each other, as "A &lt;-> B" (A before B).</summary>
    private static List<string> Cycles(Dictionary<string, Dictionary<string, SortedSet<string>>> edges)
    {
        var folders = edges.Keys.Concat(edges.Values.SelectMany(to => to.Keys)).Distinct().Order(StringComparer.Ordinal).ToList();
        return [.. from a in folders
                   from b in folders
                   where string.CompareOrdinal(a, b) < 0 && Reaches(edges, a, b) && Reaches(edges, b, a)
                   select $"{a} <-> {b}"];
    }

    private static bool Reaches(Dictionary<string, Dictionary<string, SortedSet<string>>> edges, string from, string to)
    {
        var seen = new HashSet<string> { from };
        var next = new Queue<string>([from]);
        while (next.TryDequeue(out var folder))
        {
            if (!edges.TryGetValue(folder, out var targets)) continue;
            foreach (var target in targets.Keys)
            {
                if (target == to) return true;
                if (seen.Add(target)) next.Enqueue(target);
            }
        }
        return false;
    }

    private static string Describe(string cycle, Dictionary<string, Dictionary<string, SortedSet<string>>> edges)
    {
        var pair = cycle.Split(" <-> ");
        string Edge(string a, string b) => edges.TryGetValue(a, out var to) && to.TryGetValue(b, out var types) ? $"{a} -> {b}: {string.Join(", ", types)}" : $"{a} -> {b}: through another folder";
        return $"  {cycle} ({Edge(pair[0], pair[1])}; {Edge(pair[1], pair[0])})";
    }

    private static string? FolderOf(string root, string path)
    {
        var parts = Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar);
        return parts.Length < 2 || parts[0] is "bin" or "obj" ? null : parts[0];
    }

    /// <summary>The code without comments and string literals: a type named there is no dependency.</summary>
    private static string Code(string source) => CommentOrString().Replace(source, " ");

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@?""(?:[^""\\\n]|\\.)*""", RegexOptions.Singleline)]
    private static partial Regex CommentOrString();

    [GeneratedRegex(@"(?<private>\bprivate\s+(?:\w+\s+)*)?\b(?:class|struct|enum|interface|record)\s+(?<name>[A-Z]\w*)")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Identifier();
}
