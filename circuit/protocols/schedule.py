"""What a protocol hands to the runner: phases and input time courses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..results.record import Phase


@dataclass
class Schedule:
    """A protocol laid out in time.

    Attributes
    ----------
    warmup : float
        Seconds simulated before recording starts, so that rates and [DA] settle.
    phases : list[Phase]
        Named intervals in seconds from the start of recording.
    input_dt : float
        Sampling step (s) of the input time courses.
    inputs : dict[str, np.ndarray]
        Input channel (see ``circuit.model.network.INPUT_UNITS``) -> samples over
        warmup + phases, in that channel's unit.
    """

    warmup: float
    phases: list
    input_dt: float
    inputs: dict

    @property
    def recorded(self) -> float:
        """Recorded duration (s)."""
        return self.phases[-1].stop

    @property
    def duration(self) -> float:
        """Simulated duration (s), warm-up included."""
        return self.warmup + self.recorded

    @property
    def n_samples(self) -> int:
        """Number of input samples covering the whole simulation."""
        return int(np.ceil(round(self.duration / self.input_dt, 6)))


def consecutive_phases(durations: dict) -> list:
    """Phases laid end to end, from a mapping name -> duration (s), in order."""
    phases, start = [], 0.0
    for name, length in durations.items():
        phases.append(Phase(name, start, start + length))
        start += length
    return phases


def pulse_train(n_samples: int, dt: float, onsets, width: float, amplitude: float,
                offset: float = 0.0) -> np.ndarray:
    """Samples of rectangular pulses of `amplitude` starting at `onsets` (s, after `offset`)."""
    times = np.arange(n_samples) * dt
    signal = np.zeros(n_samples)
    for onset in onsets:
        start = offset + onset
        signal[(times >= start - 1e-12) & (times < start + width - 1e-12)] += amplitude
    return signal
