using TixTrigger.Bench.Measurement;
using TixTrigger.Bench.Protocol;

namespace TixTrigger.Bench.Reporting;

/// <summary>The workers' counts added up, with the histograms in a form that answers percentiles.</summary>
internal sealed record MergedSummary(WorkerSummary Total, Histogram Intervals, Histogram FirstPing, Histogram ReadDelay);
