"""Same config and seed give identical results; another seed gives another network."""

import numpy as np

from conftest import simulate


def _same_spikes(a, b):
    return all(np.array_equal(a.spikes[p][0], b.spikes[p][0])
               and np.array_equal(a.spikes[p][1], b.spikes[p][1]) for p in a.spikes)


def test_same_seed_same_spikes_and_traces(reduced_results):
    again = simulate()
    assert _same_spikes(reduced_results, again)
    for name, trace in reduced_results.traces.items():
        np.testing.assert_array_equal(trace, again.traces[name])


def test_other_seed_other_spikes(reduced_results):
    other = simulate(seed=2)
    assert not _same_spikes(reduced_results, other)


def test_parameter_change_reuses_the_build(reduced_results):
    """A non-structural change (a conductance) runs on the same compiled binary."""
    changed = simulate(overrides=["connections.cortex_to_nac_d1.g_max=0.7 nS"])
    assert changed.provenance["timings_s"]["reused_build"] is True
    d1 = lambda r: r.mean_rate("nac_d1", *(lambda p: (p.start, p.stop))(r.phase("baseline")))
    assert d1(changed) > d1(reduced_results)
