"""Run one subject through a behavioural schedule: session after session, carrying the
slow state (weights, VTA potentiation, D2R availability, OXT tone) between them. An
adolescent pretreatment is part of the schedule: its sessions come first."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace

from brian2 import second

from ..analysis import behaviour as analysis
from ..interrupts import raise_if_requested
from ..model import adaptation, pharmacology
from ..protocols.library import session_configs
from ..results.state import State
from .simulate import run
from .watchdog import NumericalFault

log = logging.getLogger(__name__)


@dataclass
class SubjectResult:
    """What a subject's schedule produced: one row per trial, one per session, and the
    state after the last session."""

    trials: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    state: State | None = None
    #: Per session: build and simulation times, whether it built or compiled the network.
    timings: list = field(default_factory=list)
    #: The sessions `behaviour.record` keeps whole: {name: Results}, names as
    #: `recorded_name` gives them (the slow state left out: it is the run's to keep).
    recorded: dict = field(default_factory=dict)


def recorded_name(session: int, protocol: str) -> str:
    """The folder name of a recorded session: its number and protocol, '05-progressive_ratio'."""
    return f"{session:02d}-{protocol}"


def _responses(row: dict) -> str:
    """Presses of each option the session presented, e.g. '4 active, 1 inactive'."""
    counts = [(row[key], key) for key in ("active", "inactive", "social")]
    return ", ".join(f"{int(count)} {key}" for count, key in counts if count == count)


def run_subject(config, labels: dict | None = None, progress=None, state: State | None = None,
                first_session: int = 0) -> SubjectResult:
    """Run every session of `config['behaviour']['schedule']` for one subject.

    `labels` (e.g. group and seed) are added to every row; `progress(done, total, text)`
    is called after each session. With `state` (a trained subject's, within-subject
    designs) the subject starts from it, one session interval later, and its sessions
    are numbered from `first_session` (so their input noise is not the training's). A
    `NumericalFault` names the session and carries the sessions before it as
    `completed`. A stop request of this process whose interrupt was swallowed stops it
    before the next session (`circuit.interrupts`), not only at the next write.
    """
    labels = labels or {}
    configs = session_configs(config, first=first_session)
    result = SubjectResult()
    after_adolescence = False
    for index, session in enumerate(configs):
        raise_if_requested()
        if state is not None:
            state = carried_into(state, session, after_adolescence)
        after_adolescence = pharmacology.adolescent(session)
        started = time.perf_counter()
        try:
            results = run(session, progress=False, state=state)
        except NumericalFault as fault:
            fault.context = f"session {first_session + index} ({session.protocol})"
            fault.completed = result  # the sessions before the fault
            raise
        state = results.state
        result.timings.append(results.provenance["timings_s"])
        if session.recorded:
            result.recorded[recorded_name(first_session + index, session.protocol)] = \
                replace(results, state=None)
        row_labels = {**labels, "session": first_session + index, "protocol": session.protocol,
                      "phase": session["session"]["phase"]}
        trials = analysis.trial_table(results, session, row_labels)
        result.trials += trials
        result.sessions.append(analysis.session_summary(
            trials, row_labels, state, analysis.da_before_drug(results, session)))
        if progress is not None:
            progress(index + 1, len(configs),
                     f"{session.protocol}: {_responses(result.sessions[-1])} "
                     f"({time.perf_counter() - started:.0f} s)")
    result.state = state
    return result


def carried_into(state: State, session, after_adolescence: bool) -> State:
    """The slow state as `session` starts, from the state the session before it left
    (`after_adolescence`: that session was an adolescent one): one session interval
    older; then, at the first adult session after adolescence, scaled by
    `plasticity.scaling_after_adolescence` (the weeks between adolescence and adult
    training, which are not simulated); then depotentiated where the session gives it. A
    state given to `run_subject` (a within-subject test) starts with `after_adolescence`
    False and is never scaled: a training that ends in adolescence is carried into its
    tests as it is."""
    state = state.aged(float(session["behaviour"]["session_interval"] / second),
                       float(session["plasticity"]["vta"]["tau_decay"] / second),
                       float(session["receptors"]["d2r_loss"]["recovery"] / second))
    fraction = float(session["plasticity"]["scaling_after_adolescence"])
    if fraction > 0 and after_adolescence and not pharmacology.adolescent(session):
        state = replace(state, weights=adaptation.scaled_to_baseline(
            state.weights, fraction, float(session["plasticity"]["w_max"])))
    if pharmacology.given(session, "depotentiation"):
        fraction = session["interventions"]["depotentiation"]["fraction"]
        state = replace(state, weights=adaptation.depotentiated(state.weights, fraction))
    return state
