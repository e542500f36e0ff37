"""The in-memory record of one simulation run.

`Results` is what `circuit.run(config)` returns and what `circuit.results.load(DIR)`
gives back. Everything is plain NumPy in fixed units so that analysis and figures never
need Brian2:

- times in seconds, rates in Hz, concentrations in nM, occupancies as fractions (0-1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .state import State


#: The options of `Results.decisions`, in the order of its columns: the same as
#: `circuit.model.agent.OPTIONS` (tests/test_frames.py checks it), kept here so that
#: reading results never imports the model.
DECISION_OPTIONS = ("drug", "inactive", "social")
#: Per-option arrays of `Results.decisions` (each of shape (decisions, options)).
DECISION_KEYS = ("evaluated", "go", "p_go", "press", "reinforce", "cue", "ratio")
#: The readout's parts at each decision, same shape: results written before they were
#: recorded load without them, so readers take them where present.
DECISION_READOUT = ("value", "epsilon", "rho", "cue_value", "situation")


def readout_keys(decisions: dict) -> list:
    """The `DECISION_READOUT` keys that `decisions` holds (none in older results)."""
    return [key for key in DECISION_READOUT if key in decisions]


@dataclass
class Phase:
    """A named interval of the protocol, in seconds from the start of recording."""

    name: str
    start: float
    stop: float


@dataclass(repr=False)
class Results:
    """Spikes, population rates and neuromodulator traces of one run.

    Attributes
    ----------
    config : dict
        The resolved configuration as plain YAML-serialisable data (values as strings
        with units, e.g. ``"20 ms"``).
    seed : int
        The master seed of the run.
    sizes : dict[str, int]
        Number of neurons in each population, e.g. ``{"vta_da": 60, ...}``.
    spikes : dict[str, tuple[np.ndarray, np.ndarray]]
        Per population: spike times (s) and neuron indices (int).
    rate_t : np.ndarray
        Sample times (s) of the population rates.
    rates : dict[str, np.ndarray]
        Per population: the population firing rate (Hz), smoothed, sampled at ``rate_t``.
    trace_t : np.ndarray
        Sample times (s) of the neuromodulator and receptor traces.
    traces : dict[str, np.ndarray]
        Named traces sampled at ``trace_t``. Concentrations end in ``_nM``
        (``da_nac_nM``, ``oxt_nac_nM``, ``oxt_vta_nM``, ``cocaine_nac_nM``);
        receptor occupancies are ``occ_<receptor>_<population>``
        (``occ_d1r_nac_d1``, ``occ_d2r_nac_d2``, ``occ_oxtr_nac_pv``, ...).
    phases : list[Phase]
        The protocol's phases (baseline, challenge, washout, ...).
    provenance : dict
        Versions, seed, git commit, wall time; filled in by the runner.
    weight_t : np.ndarray
        Sample times (s) of the synaptic weights.
    weights : dict[str, np.ndarray]
        Per plastic projection (e.g. ``cortex_to_nac_d1``): weights of a fixed sample of
        its synapses, shape (len(weight_t), n_synapses).
    decisions : dict[str, np.ndarray]
        The agent at every decision of a behavioural session: ``t`` (s) and, shape
        (n_decisions, n_options) in the order of ``circuit.model.agent.OPTIONS``,
        ``evaluated`` (the option was presented and could be taken), ``go`` (the normalised
        D1 - D2 MSN response in its window, dimensionless: docs/behaviour.md), ``p_go``,
        ``press``, ``reinforce``, ``cue``, ``ratio`` (`DECISION_KEYS`), and the readout's
        parts (`DECISION_READOUT`): ``value`` (the sigmoid of go, without exploration),
        ``epsilon`` (the exploration probability), so that p_go = evaluated x (epsilon +
        (1 - epsilon) x value), ``rho`` (the tonic-DA gain term), ``cue_value`` (the
        drug cue's learnt value) and ``situation`` (the belief of being in the
        drug-taking situation). Empty outside behaviour.
    state : State or None
        The slow variables at the end of the run (every plastic weight, the VTA input
        potentiation), to restore in the next session: ``circuit.run(config, state=...)``.
    """

    config: dict
    seed: int
    sizes: dict
    spikes: dict
    rate_t: np.ndarray
    rates: dict
    trace_t: np.ndarray
    traces: dict
    phases: list
    provenance: dict = field(default_factory=dict)
    weight_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    weights: dict = field(default_factory=dict)
    decisions: dict = field(default_factory=dict)
    state: State | None = None

    def __repr__(self) -> str:
        """One line: seed, populations and spikes, phases, what else it holds."""
        spikes = sum(len(times) for times, _ in self.spikes.values())
        phases = ", ".join(f"{p.name} {p.start:g}-{p.stop:g} s" for p in self.phases)
        extra = [name for name, held in (("weights", self.weights),
                                         ("decisions", self.decisions),
                                         ("state", self.state is not None)) if held]
        return (f"Results(seed {self.seed}, {sum(self.sizes.values())} neurons in "
                f"{len(self.sizes)} populations, {spikes} spikes, {len(self.traces)} traces; "
                f"phases: {phases}{'; with ' + ', '.join(extra) if extra else ''})")

    @property
    def duration(self) -> float:
        """Recorded duration (s): the end of the last phase."""
        return self.phases[-1].stop

    def phase(self, name: str) -> Phase:
        """The phase called `name`; KeyError naming the known phases otherwise."""
        for phase in self.phases:
            if phase.name == name:
                return phase
        known = ", ".join(p.name for p in self.phases)
        raise KeyError(f"no phase {name!r}; this run has: {known}")

    def to_neo(self):
        """This run as a ``neo.Block`` (needs ``pip install 'circuit[nwb]'``).

        One Segment: a SpikeTrain per neuron (s; annotated ``population``, ``index``),
        an AnalogSignal per population rate (Hz) and per trace (nM, or dimensionless
        occupancies), the phases as an Epoch and presses as an Event; ``block.groups``
        holds each population's spike trains and rate. See docs/outputs.md.
        """
        from .neo_export import to_neo

        return to_neo(self)

    def mean_rate(self, population: str, start: float = 0.0, stop: float | None = None) -> float:
        """Mean firing rate (Hz) per neuron of `population` between `start` and `stop` (s)."""
        times, _ = self.spikes[population]
        stop = self.duration if stop is None else stop
        count = np.count_nonzero((times >= start) & (times < stop))
        return float(count / (self.sizes[population] * (stop - start)))

    # --------------------------------------------------------------- pandas views
    def spikes_frame(self):
        """Every spike as a row of a pandas DataFrame: `population`, `neuron` (index in
        its population), `t` (s); populations in the model's order, times sorted within
        each."""
        import pandas as pd

        frames = [pd.DataFrame({"population": pop, "neuron": indices.astype(int),
                                "t": times}).sort_values("t", kind="stable")
                  for pop, (times, indices) in self.spikes.items()]
        frame = pd.concat(frames, ignore_index=True) if frames else \
            pd.DataFrame(columns=["population", "neuron", "t"])
        frame["population"] = pd.Categorical(frame["population"], categories=list(self.spikes))
        return frame

    def traces_frame(self):
        """The traces as a pandas DataFrame indexed by time `t` (s), one column per trace
        (names ending in `_nM`: nM; `occ_`: fraction 0-1)."""
        import pandas as pd

        return pd.DataFrame(self.traces, index=pd.Index(self.trace_t, name="t"))

    def trials_frame(self):
        """The trial events as a tidy pandas DataFrame: one row per option evaluated at a
        decision, columns `t` (s, the decision), `option`, `DECISION_KEYS` but
        `evaluated`, and the `DECISION_READOUT` parts the results hold. Empty (with
        those columns) outside behaviour."""
        import pandas as pd

        columns = ["t", "option", *DECISION_KEYS[1:], *readout_keys(self.decisions)]
        if not self.decisions:
            return pd.DataFrame(columns=columns)
        t = np.asarray(self.decisions["t"])
        evaluated = np.asarray(self.decisions["evaluated"], dtype=bool)
        rows, options = np.nonzero(evaluated)
        frame = pd.DataFrame({"t": t[rows],
                              "option": np.asarray(DECISION_OPTIONS)[options]})
        for key in columns[2:]:
            frame[key] = np.asarray(self.decisions[key])[rows, options]
        return frame[columns]
