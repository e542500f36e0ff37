"""The plasticity bench: an in-silico slice experiment on afferent -> MSN synapses, with
given pre and post spike times and the DA/OXT each synapse sees (docs/plasticity.md).

`spec` reads and checks a bench spec, `simulate` runs it (Brian2), `record` holds and
writes its result (weights.csv, traces.csv, summary.csv), `figures` draws it.
`circuit.workflows.bench_to` runs all four into a directory (``circuit plasticity``).
"""
