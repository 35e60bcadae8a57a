using System.CommandLine;
using System.Globalization;

namespace TixTrigger.Bench.Options;

/// <summary>
/// Options whose values the bench reads and range-checks itself, so that a bad value is refused in
/// one line naming the option and its rule (the parser's own messages name neither the rule nor NaN).
/// </summary>
internal static class OptionFactory
{
    /// <summary>An option read by <paramref name="parse"/>; a <see cref="FormatException"/> from it becomes the option's error.</summary>
    public static Option<T> Create<T>(string name, string helpName, string description, Func<string, T> parse, Func<T>? defaultValue = null)
    {
        var option = new Option<T>(name)
        {
            HelpName = helpName,
            Description = description,
            // Given twice, the last wins: the run-*.sh scripts pass their own values, then the user's.
            Arity = ArgumentArity.OneOrMore,
            CustomParser = result =>
            {
                try
                {
                    return parse(result.Tokens[^1].Value);
                }
                catch (FormatException problem)
                {
                    result.AddError(problem.Message);
                    return default!;
                }
            },
        };
        if (defaultValue is not null) option.DefaultValueFactory = _ => defaultValue();
        return option;
    }

    public static Option<int> Integer(string name, string description, int defaultValue, Func<int, bool> isValid, string rule) =>
        Create(name, "N", description, text => Check(ParseInteger(name, text), isValid, rule), () => defaultValue);

    public static Option<double> Number(string name, string helpName, string description, double defaultValue, Func<double, bool>? isValid = null, string rule = "") =>
        Create(name, helpName, description, text => Check(ParseNumber(name, text), isValid, rule), () => defaultValue);

    /// <summary>A number that, left out, means "not set".</summary>
    public static Option<double?> OptionalNumber(string name, string helpName, string description, Func<double, bool>? isValid = null, string rule = "") =>
        Create<double?>(name, helpName, description, text => Check(ParseNumber(name, text), isValid, rule));

    public static Option<T> Choice<T>(string name, string description, T? defaultValue = null) where T : struct, Enum =>
        Create(name, string.Join('|', Names<T>()), description, text => Enum.TryParse(text, ignoreCase: true, out T value) && Enum.IsDefined(value)
            ? value
            : throw new FormatException($"{name} takes one of {string.Join(", ", Names<T>())}, not '{text}'"),
            defaultValue is { } fallback ? () => fallback : null);

    private static int ParseInteger(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new FormatException($"{name} takes a whole number, not '{text}'");

    private static double ParseNumber(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw new FormatException($"{name} takes a number, not '{text}'");

    private static T Check<T>(T value, Func<T, bool>? isValid, string rule) => isValid is null || isValid(value) ? value : throw new FormatException(rule);

    private static IEnumerable<string> Names<T>() where T : struct, Enum => Enum.GetNames<T>().Select(name => name.ToLowerInvariant());
}
