"""A behavioural session: trials that present the options, a drug prime, a stress input.

Trial k presents one option for `behaviour.window` at its start (trials last
`session.trial`, or `behaviour.trial`); the options of
`session.options` alternate, their order rotating every cycle (drug, inactive;
inactive, drug; ...) so that no option always comes first. What a press earns is in
the agent (circuit/model/agent.py); this module lays out only the inputs.
"""

from __future__ import annotations

import numpy as np
from brian2 import mmolar, pA, second

from ..model.agent import OPTIONS, session_trials
from ..model.pharmacology import effective
from .schedule import Schedule, consecutive_phases, pulse_train

PHASE = "session"


def presented(options: list, trials: int) -> list:
    """Index of the option presented in each trial (rotating order)."""
    n = len(options)
    if n == 0:
        return []
    return [OPTIONS.index(options[(k % n + k // n) % n]) for k in range(trials)]


def schedule(config: dict) -> Schedule:
    """Lay out the session described by `config['session']`."""
    behaviour, session = config["behaviour"], config["session"]
    warmup = float(behaviour["warmup"] / second)
    trials, trial = session_trials(config)
    trial = float(trial / second)
    window = float(behaviour["window"] / second)
    input_dt = float(behaviour["input_dt"] / second)
    plan = Schedule(warmup, consecutive_phases({PHASE: trials * trial}), input_dt, inputs={})
    n = plan.n_samples

    option_window = -1.0 + sum(  # -1: nothing presented (an adolescence session throughout)
        (pulse_train(n, input_dt, [k * trial], window, option + 1.0, offset=warmup)
         for k, option in enumerate(presented(session["options"], trials))), np.zeros(n))

    prime_time = float(behaviour["prime_duration"] / second)
    prime = session["prime"] * effective(config)["brain_per_dose"]
    infusion = pulse_train(n, input_dt, [0.0], prime_time,
                           float(prime / (prime_time * second) / (mmolar / second)),
                           offset=warmup)
    stress = pulse_train(n, input_dt, [0.0], float(session["stress_duration"] / second),
                         float(session["stress"] / pA), offset=warmup)
    plan.inputs = {"option_window": option_window, "cocaine_infusion": infusion,
                   "stress": stress}
    return plan


def trial_starts(config: dict) -> list:
    """Start of each trial (s from the start of recording)."""
    trials, trial = session_trials(config)
    return [k * float(trial / second) for k in range(trials)]
