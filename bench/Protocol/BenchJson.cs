using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using TixTrigger.Bench.Comparison;
using TixTrigger.Bench.Reporting;

namespace TixTrigger.Bench.Protocol;

/// <summary>Source-generated JSON for the worker protocol and the final report line.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(WorkerAssignment))]
[JsonSerializable(typeof(WorkerSummary))]
[JsonSerializable(typeof(BenchReport))]
[JsonSerializable(typeof(ComparisonReport))]
internal sealed partial class BenchJson : JsonSerializerContext
{
    /// <summary>For the report line, which people read too: keeps "±" as it is rather than "\u00B1".</summary>
    public static BenchJson Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
