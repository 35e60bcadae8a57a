using System.CommandLine;
using System.CommandLine.Parsing;

namespace TixTrigger.Bench.Options;

/// <summary>Options, each with where its value goes in a <typeparamref name="T"/>; the ones given are applied over the defaults.</summary>
internal sealed class OptionMap<T>
{
    private readonly List<(Option Option, Func<T, ParseResult, T> Apply)> _entries = [];

    public IEnumerable<Option> Options => _entries.Select(entry => entry.Option);

    public OptionMap<T> Add<TValue>(Option<TValue> option, Func<T, TValue, T> apply)
    {
        _entries.Add((option, (model, result) => apply(model, result.GetValue(option)!)));
        return this;
    }

    public T Read(ParseResult result, T defaults) =>
        _entries.Where(entry => Given(result, entry.Option)).Aggregate(defaults, (model, entry) => entry.Apply(model, result));

    public Option? FirstGiven(ParseResult result) => Options.FirstOrDefault(option => Given(result, option));

    public static bool Given(ParseResult result, Option option) => result.GetResult(option) is OptionResult { Implicit: false };
}
