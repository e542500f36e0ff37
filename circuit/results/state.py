"""The slow state a run leaves behind, to be carried into the next session.

Days of a behavioural experiment are separate runs of one subject: the same seed (so the
same connectivity), a different `simulation.session` (so different input noise), and the
slow variables of the previous session restored. `State` holds those variables as plain
NumPy; `write_state` / `read_state` store them as one ``state.npz``.

What is carried: every afferent -> MSN weight (full arrays, in synapse order), the
drug-evoked VTA input potentiation, D2R availability (lowered by drug exposure), the
endogenous OXT tone (raised by adolescent OXT), how often the subject has taken each
option (its experience, which directed exploration reads), the learnt value of the
drug cue and the situation belief. Restoring a state overrides the config's
`plasticity.vta.initial`, `receptors.d2r_availability` and `fields.oxt.tone`, and sets
the agent's `taken` counts, `cue_value` and `situation`.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

STATE_FILE = "state.npz"
_WEIGHT_PREFIX = "w:"
_META_KEYS = ("seed", "structure", "vta_potentiation")
#: Slow variables added later; files without them read as drug-naive (1.0).
_OPTIONAL_KEYS = ("d2r_availability", "oxt_tone")
#: The drug cue's learnt value; files without it read as a cue never paired (0.0).
_CUE_KEY = "cue_value"
#: The belief of being in the drug-taking situation; files without it read as 1.
_SITUATION_KEY = "situation"
#: Presses of each option (agent.OPTIONS order) so far; files without it read as none.
_TAKEN_KEY = "options_taken"
#: The options a subject can take (circuit.model.agent.OPTIONS: drug, inactive, social).
_N_OPTIONS = 3


class StateError(ValueError):
    """A saved state that cannot be read, or that does not fit the network of a run."""


@dataclass
class State:
    """Slow variables at the end of a run.

    Attributes
    ----------
    seed : int
        The subject's seed: weights only make sense on the connectivity it draws.
    structure : str
        Key of the network structure (sizes, equations) the weights belong to.
    weights : dict[str, np.ndarray]
        Per plastic projection, the weight of every synapse (synapse order).
    vta_potentiation : float
        Drug-evoked potentiation p of the VTA DA inputs.
    d2r_availability : float
        Fraction of D2R available (1: drug-naive).
    oxt_tone : float
        Endogenous OXT release relative to a drug-naive adult (M6).
    options_taken : np.ndarray
        How often each option (drug, inactive, social) has been taken so far.
    cue_value : float
        The drug cue's learnt value (0: never paired with the drug; 1: always).
    situation : float
        The belief of being in the situation the drug was taken in (1) rather than in
        another (0): circuit.model.agent.
    """

    seed: int
    structure: str
    weights: dict = field(default_factory=dict)
    vta_potentiation: float = 0.0
    d2r_availability: float = 1.0
    oxt_tone: float = 1.0
    options_taken: np.ndarray = field(default_factory=lambda: np.zeros(_N_OPTIONS))
    cue_value: float = 0.0
    situation: float = 1.0

    def aged(self, seconds: float, tau_decay_s: float,
             d2r_recovery_s: float = np.inf) -> "State":
        """This state after `seconds` without drug: the VTA potentiation decays with
        `tau_decay_s` (plasticity.vta.tau_decay), D2R availability recovers towards 1
        with `d2r_recovery_s` (receptors.d2r_loss.recovery); weights, OXT tone, the
        options' experience, the cue's value and the situation belief are kept (no decay
        is modelled)."""
        recovered = 1.0 - (1.0 - self.d2r_availability) * np.exp(-seconds / d2r_recovery_s)
        return State(seed=self.seed, structure=self.structure, weights=dict(self.weights),
                     vta_potentiation=float(self.vta_potentiation
                                            * np.exp(-seconds / tau_decay_s)),
                     d2r_availability=float(recovered), oxt_tone=self.oxt_tone,
                     options_taken=np.array(self.options_taken, dtype=np.float64),
                     cue_value=self.cue_value, situation=self.situation)

    def digest(self) -> str:
        """SHA-256 of every value of the state (weights bit for bit): two runs that
        start from states of one digest start from the same state."""
        import hashlib

        digest = hashlib.sha256(f"{self.seed}|{self.structure}|".encode())
        for name in sorted(self.weights):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(self.weights[name], dtype=np.float64).tobytes())
        digest.update(np.array([self.vta_potentiation, self.d2r_availability, self.oxt_tone],
                               dtype=np.float64).tobytes())
        digest.update(np.ascontiguousarray(self.options_taken, dtype=np.float64).tobytes())
        digest.update(np.float64(self.cue_value).tobytes())
        digest.update(np.float64(self.situation).tobytes())
        return digest.hexdigest()

    def check_matches(self, seed: int, structure: str, counts: dict | None = None) -> None:
        """Raise StateError unless this state fits a network of `seed`, `structure` and,
        if given, synapse `counts` ({projection: number of synapses})."""
        if seed != self.seed:
            raise StateError(f"the restored state is of seed {self.seed}, this run uses seed "
                             f"{seed}: weights belong to one seed's connectivity")
        if structure != self.structure:
            raise StateError("the restored state comes from a network of another structure "
                             f"({self.structure}, this run: {structure}); sizes and "
                             "equations must match")
        for name, weights in self.weights.items():
            if counts is not None and counts.get(name) != weights.size:
                raise StateError(f"restored weights of {name!r}: {weights.size} synapses, "
                                 f"the network has {counts.get(name)}")


def write_state(state: State, path: str | os.PathLike) -> Path:
    """Write `state` to `path` (an .npz file) atomically."""
    from .store import atomic_write_bytes

    arrays = {_WEIGHT_PREFIX + name: np.asarray(w, dtype=np.float64)
              for name, w in state.weights.items()}
    arrays.update(seed=np.int64(state.seed), structure=np.str_(state.structure),
                  vta_potentiation=np.float64(state.vta_potentiation),
                  d2r_availability=np.float64(state.d2r_availability),
                  oxt_tone=np.float64(state.oxt_tone),
                  **{_TAKEN_KEY: np.asarray(state.options_taken, dtype=np.float64),
                     _CUE_KEY: np.float64(state.cue_value),
                     _SITUATION_KEY: np.float64(state.situation)})
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return atomic_write_bytes(path, buffer.getvalue())


def read_state(path: str | os.PathLike) -> State:
    """Read a state written by `write_state` (a file, or a run directory holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / STATE_FILE
    if not path.is_file():
        raise StateError(f"no saved state at {path}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError) as err:
        raise StateError(f"cannot read the state in {path}: {err}") from err
    missing = [key for key in _META_KEYS if key not in arrays]
    if missing:
        raise StateError(f"{path} is not a circuit state file (missing {missing})")
    weights = {key.removeprefix(_WEIGHT_PREFIX): values for key, values in arrays.items()
               if key.startswith(_WEIGHT_PREFIX)}
    optional = {key: float(arrays[key]) for key in (*_OPTIONAL_KEYS, _CUE_KEY, _SITUATION_KEY)
                if key in arrays}
    if _TAKEN_KEY in arrays:
        optional[_TAKEN_KEY] = np.asarray(arrays[_TAKEN_KEY], dtype=np.float64)
    broken = [key for key, values in arrays.items()
              if values.dtype.kind == "f" and not np.isfinite(values).all()]
    if broken:
        raise StateError(f"{path} holds NaN or Inf values ({', '.join(broken)}): the run that "
                         "saved it stopped at a numerical fault (see its fault.json); it "
                         "cannot be restored")
    return State(seed=int(arrays["seed"]), structure=str(arrays["structure"]),
                 weights=weights, vta_potentiation=float(arrays["vta_potentiation"]),
                 **optional)
