//! Benchmarks of `mlp` (`cargo bench -p mlp-benches`): the generated code against the same
//! networks written by hand the way an expert writes them, in the same run.
