namespace TixTrigger.Bench.Protocol;

/// <summary>A handful of concrete cases says more than a count, but thousands would drown the report.</summary>
internal static class Examples
{
    public const int Keep = 5;

    public static void Add(List<string> examples, string example)
    {
        if (examples.Count < Keep) examples.Add(example);
    }

    public static List<string> Concat(IEnumerable<List<string>> lists) => lists.SelectMany(list => list).Take(Keep).ToList();
}
