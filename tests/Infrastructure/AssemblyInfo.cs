// Timing assertions share two cores: tests run one at a time so they do not skew each other.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
