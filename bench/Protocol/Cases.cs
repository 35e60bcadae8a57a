namespace TixTrigger.Bench.Protocol;

/// <summary>A count of cases with a few of them described: a handful says more than a count, but thousands would drown the report.</summary>
internal sealed class Cases
{
    public const int Keep = 5;

    public long Count { get; set; }

    public List<string> Examples { get; set; } = [];

    public void Add(string example)
    {
        Count++;
        Describe(example);
    }

    /// <summary>Keeps the example without counting it (when the count comes from elsewhere).</summary>
    public void Describe(string example)
    {
        if (Examples.Count < Keep) Examples.Add(example);
    }

    public void Add(Cases other)
    {
        Count += other.Count;
        foreach (string example in other.Examples) Describe(example);
    }
}
