"""The default protocol: baseline, a cocaine challenge, then washout.

Phasic bursts of the VTA input during baseline evoke DA transients (a reward-like
event); the cocaine dose is infused over a few seconds at the start of the challenge,
and again every `interval` for `count` infusions (repeated exposure).
"""

from __future__ import annotations

from brian2 import Hz, mmolar, second

from .schedule import Schedule, consecutive_phases, pulse_train

PHASES = ("baseline", "challenge", "washout")


def schedule(config: dict) -> Schedule:
    """Lay out the cocaine-challenge protocol of `config['protocol']`."""
    protocol = config["protocol"]
    warmup = float(protocol["warmup"] / second)
    input_dt = float(protocol["input_dt"] / second)
    phases = consecutive_phases({name: float(protocol[name] / second) for name in PHASES})
    plan = Schedule(warmup, phases, input_dt, inputs={})
    n = plan.n_samples

    bursts = protocol["bursts"]
    vta_drive = pulse_train(n, input_dt, [float(t / second) for t in bursts["times"]],
                            float(bursts["duration"] / second), float(bursts["rate"] / Hz),
                            offset=warmup + phases[0].start)

    cocaine = protocol["cocaine"]
    infusion_time = float(cocaine["infusion_duration"] / second)
    brain_concentration = cocaine["dose"] * config["fields"]["cocaine"]["brain_per_dose"]
    rate = float(brain_concentration / (infusion_time * second) / (mmolar / second))
    onsets = [k * float(cocaine["interval"] / second) for k in range(cocaine["count"])]
    infusion = pulse_train(n, input_dt, onsets, infusion_time, rate,
                           offset=warmup + phases[1].start)

    plan.inputs = {"vta_input": vta_drive, "cocaine_infusion": infusion}
    return plan
