"""Carry slow state between sessions: read it at the end of a run, restore it at the start.

In standalone mode the compiled program restores weights from files named in the
environment variable CIRCUIT_RESTORE (a directory holding ``<projection>.w`` files, and
the agent's variables of `AGENT_VARIABLES`), at the point after connection and
initialisation; without the variable it keeps the drawn initial weights. The VTA input
potentiation, also in the state, is restored through the run-time constant
`plasticity.vta.initial` (no file needed).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..model import plasticity
from ..model.agent import DRUG, OPTIONS
from ..model.connectivity import PLASTIC, projections
from ..results.state import State

RESTORE_VARIABLE = "CIRCUIT_RESTORE"
#: The agent's variable that holds how often each option has been taken.
TAKEN = "agent.taken"
#: The agent's variable that holds the drug cue's learnt value (one per option neuron;
#: the drug option's is the one used).
CUE_VALUE = "agent.cue_value"
#: The agent's situation belief and the evidence it is read from, exp(-evidence) (the
#: same on every option neuron); a state carries the belief.
SITUATION = "agent.situation"
SITUATION_EVIDENCE = "agent.situation_evidence"
#: The agent's variables a state carries.
AGENT_VARIABLES = (TAKEN, CUE_VALUE, SITUATION, SITUATION_EVIDENCE)


def agent_values(state: State) -> dict:
    """{agent variable: the values `state` restores, one per option neuron}."""
    return {TAKEN: np.asarray(state.options_taken, dtype=np.float64),
            CUE_VALUE: np.full(len(OPTIONS), state.cue_value, dtype=np.float64),
            SITUATION: np.full(len(OPTIONS), state.situation, dtype=np.float64),
            SITUATION_EVIDENCE: np.full(len(OPTIONS), evidence(state.situation),
                                        dtype=np.float64)}


def evidence(situation: float) -> float:
    """The evidence of being elsewhere that gives situation belief `situation`
    (circuit.model.agent: belief = exp(-evidence)); a belief of 0 is read as the
    smallest positive one, so the evidence stays finite."""
    return float(-np.log(max(float(situation), np.finfo(np.float64).tiny)))


def restore_code(circuit) -> str:
    """C++ for the main program: set every plastic weight from $CIRCUIT_RESTORE if set."""
    lines = [f'    brian::set_variable_by_name("{name}.w", directory + "/{name}.w");'
             for name in circuit.plastic_projections()]
    lines += [f'    brian::set_variable_by_name("{name}", directory + "/{name}");'
              for name in AGENT_VARIABLES]
    return "\n".join([f'if (const char* restore = std::getenv("{RESTORE_VARIABLE}")) {{',
                      "    const std::string directory(restore);", *lines, "}"])


@contextmanager
def restored_weights(state: State | None, scratch: Path):
    """Within the block, the compiled program restores `state`'s weights (if any)."""
    if state is None:
        yield
        return
    directory = scratch / "restore"
    directory.mkdir()
    for name, weights in state.weights.items():
        np.asarray(weights, dtype=np.float64).tofile(directory / f"{name}.w")
    for name, values in agent_values(state).items():
        values.tofile(directory / name)
    os.environ[RESTORE_VARIABLE] = str(directory.resolve())
    try:
        yield
    finally:
        del os.environ[RESTORE_VARIABLE]


def final_state(read, config: dict, seed: int, structure: str) -> State:
    """The slow variables at the end of the run just finished, from the arrays `read`
    gives ("object.variable").

    In the fast form a stored weight lags by its pending change (applied at the synapse's
    next event); `plasticity.current_state` adds it, so the state is exact.
    """
    rule = config["plasticity"]
    form = rule["form"]
    recorded, post_recorded = plasticity.RECORDED[form]
    weights = {}
    for name, _, _, target, kind in projections():
        if kind != PLASTIC:
            continue
        post = read(f"{name}.j")
        synaptic = {var: read(f"{name}.{var}") for var in recorded}
        of_post = {var: read(f"{target}.{var}")[post] for var in post_recorded}
        weights[name], _ = plasticity.current_state(form, synaptic, of_post,
                                                    float(rule["eta"]), rule["w_max"])
    return State(seed=seed, structure=structure, weights=weights,
                 vta_potentiation=float(read("vta_da.p_vta").mean()),
                 d2r_availability=float(config["receptors"]["d2r_availability"]),
                 oxt_tone=float(config["fields"]["oxt"]["tone"]),
                 options_taken=np.asarray(read(TAKEN), dtype=np.float64),
                 cue_value=float(read(CUE_VALUE)[DRUG]),
                 situation=float(np.exp(-max(float(read(SITUATION_EVIDENCE)[DRUG]), 0.0))))
