"""A realistic synthetic `Results`, built with NumPy only, for tests of the output layers.

Three equal phases (baseline, cocaine challenge, washout). Spikes are Poisson at
plausible rates per population and phase; DA neurons fire extra spikes in bursts (three
in a 10 s baseline, one in the washout), each
giving a ~200 nM, ~0.4 s wide [DA] transient in the NAc on a ~40 nM tonic level.
Cocaine rises during the challenge, raises tonic [DA] by blocking reuptake, and washes
out. Receptor occupancies follow the concentrations at equilibrium, C / (C + Kd).
"""

from __future__ import annotations

import numpy as np

from circuit.results import Phase, Results

PHASES = ("baseline", "challenge", "washout")
SIZES = {"vta_da": 60, "vta_gaba": 40, "nac_d1": 200, "nac_d2": 200, "nac_pv": 30,
         "pvn_oxt": 30}
# Mean firing rate (Hz) per neuron in each phase.
RATES_HZ = {
    "vta_da": (4.0, 2.0, 3.5),  # D2 autoreceptors slow DA neurons under cocaine
    "vta_gaba": (8.0, 9.0, 8.0),
    "nac_d1": (1.0, 2.5, 1.2),
    "nac_d2": (1.5, 0.8, 1.4),
    "nac_pv": (15.0, 18.0, 15.0),
    "pvn_oxt": (2.0, 3.0, 2.0),
}
RATE_DT = 0.01  # s, population-rate sampling
RATE_SMOOTH_S = 0.05  # s, SD of the Gaussian smoothing of population rates
TRACE_DT = 0.002  # s, neuromodulator sampling

DA_TONIC_NM = 40.0
DA_NOISE_NM = 1.0
BURST_AMPLITUDE_NM = 200.0
BURST_FWHM_S = 0.4
BURST_SPIKES_PER_NEURON = 3
# DA bursts: every BURST_SPACING_S in the baseline from BURST_FIRST_S on, and one in the
# washout BURST_WASHOUT_S after it starts; none closer than BURST_CLEARANCE_S to a phase end.
BURST_FIRST_S = 2.5
BURST_SPACING_S = 2.7
BURST_WASHOUT_S = 5.5
BURST_CLEARANCE_S = 1.5
COCAINE_MAX_NM = 3000.0
COCAINE_RISE_S = 1.5
COCAINE_DECAY_S = 2.0
COCAINE_DA_GAIN = 2.0  # tonic [DA] rises by this factor of baseline at full block
COCAINE_IC50_NM = 500.0
OXT_NAC_TONIC_NM = 3.0
OXT_VTA_TONIC_NM = 5.0
OXT_CHALLENGE_GAIN = 1.5
OXT_SLOW_PERIOD_S = 7.0
OXT_SLOW_DEPTH = 0.1
KD_NM = {"d1r": 1000.0, "d2r": 20.0, "oxtr": 2.0}
WEIGHT_DT = 1.0  # s, weight sampling
WEIGHT_SAMPLES = 20  # synapses per projection
WEIGHT_DRIFT = {"cortex_to_nac_d1": 0.1, "cortex_to_nac_d2": -0.05}  # over the challenge
VTA_POTENTIATION_MAX = 0.3
OCCUPANCIES = {  # trace -> (receptor, concentration trace)
    "occ_d1r_nac_d1": ("d1r", "da_nac_nM"),
    "occ_d2r_nac_d2": ("d2r", "da_nac_nM"),
    "occ_oxtr_nac_d2": ("oxtr", "oxt_nac_nM"),
    "occ_d1r_nac_pv": ("d1r", "da_nac_nM"),
    "occ_oxtr_nac_pv": ("oxtr", "oxt_nac_nM"),
    "occ_oxtr_vta_da": ("oxtr", "oxt_vta_nM"),
}
FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))


def burst_times(duration: float) -> np.ndarray:
    """Times (s) of the DA bursts in a run of `duration` (three equal phases)."""
    phase_s = duration / len(PHASES)
    baseline = np.arange(BURST_FIRST_S, phase_s - BURST_CLEARANCE_S, BURST_SPACING_S)
    fits = BURST_WASHOUT_S < phase_s - BURST_CLEARANCE_S
    washout = [2 * phase_s + BURST_WASHOUT_S] if fits else []
    return np.concatenate([baseline, washout])


def _poisson_spikes(rng, n: int, rates: tuple, phases: list[Phase]):
    times, indices = [], []
    for rate, phase in zip(rates, phases):
        count = rng.poisson(rate * n * (phase.stop - phase.start))
        times.append(rng.uniform(phase.start, phase.stop, count))
        indices.append(rng.integers(0, n, count))
    return np.concatenate(times), np.concatenate(indices)


def _population_rate(times: np.ndarray, n: int, rate_t: np.ndarray) -> np.ndarray:
    edges = np.append(rate_t, rate_t[-1] + RATE_DT)
    counts, _ = np.histogram(times, edges)
    sigma = RATE_SMOOTH_S / RATE_DT
    offsets = np.arange(-4 * int(sigma), 4 * int(sigma) + 1)
    kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
    smoothed = np.convolve(counts / (n * RATE_DT), kernel, mode="same")
    return smoothed / np.convolve(np.ones(counts.size), kernel, mode="same")  # no edge dip


def make_results(seed: int = 0, duration: float = 30.0) -> Results:
    """A complete synthetic `Results` of `duration` seconds, reproducible from `seed`."""
    rng = np.random.default_rng(seed)
    bounds = np.linspace(0.0, duration, len(PHASES) + 1)
    phases = [Phase(name, float(a), float(b)) for name, a, b in zip(PHASES, bounds, bounds[1:])]
    challenge = phases[1]
    bursts = burst_times(duration)

    spikes = {}
    for pop, n in SIZES.items():
        times, indices = _poisson_spikes(rng, n, RATES_HZ[pop], phases)
        if pop == "vta_da":  # each burst: every DA neuron fires a few spikes within 0.1 s
            burst_t = np.repeat(bursts, n * BURST_SPIKES_PER_NEURON)
            burst_t = burst_t + rng.uniform(0.0, 0.1, burst_t.size)
            burst_i = np.tile(np.repeat(np.arange(n), BURST_SPIKES_PER_NEURON), bursts.size)
            times, indices = np.append(times, burst_t), np.append(indices, burst_i)
        order = np.argsort(times, kind="stable")
        spikes[pop] = (times[order], indices[order].astype(np.int32))

    rate_t = np.arange(0.0, duration, RATE_DT)
    rates = {pop: _population_rate(spikes[pop][0], SIZES[pop], rate_t) for pop in SIZES}

    t = np.arange(0.0, duration, TRACE_DT)
    after = np.clip(t - challenge.start, 0.0, None)
    cocaine = COCAINE_MAX_NM * (1.0 - np.exp(-after / COCAINE_RISE_S))
    washing = t >= challenge.stop
    at_stop = COCAINE_MAX_NM * (1.0 - np.exp(-(challenge.stop - challenge.start) / COCAINE_RISE_S))
    cocaine[washing] = at_stop * np.exp(-(t[washing] - challenge.stop) / COCAINE_DECAY_S)
    block = cocaine / (cocaine + COCAINE_IC50_NM)
    sigma = BURST_FWHM_S / FWHM_PER_SIGMA
    transients = sum(BURST_AMPLITUDE_NM * np.exp(-0.5 * ((t - tb - sigma) / sigma) ** 2)
                     for tb in bursts)
    da = DA_TONIC_NM * (1.0 + COCAINE_DA_GAIN * block) + transients
    da = da + rng.normal(0.0, DA_NOISE_NM, t.size)
    in_challenge = ((t >= challenge.start) & (t < challenge.stop)).astype(float)
    slow = 1.0 + OXT_SLOW_DEPTH * np.sin(2 * np.pi * t / OXT_SLOW_PERIOD_S)
    oxt_gain = 1.0 + (OXT_CHALLENGE_GAIN - 1.0) * in_challenge
    traces = {
        "da_nac_nM": da,
        "oxt_nac_nM": OXT_NAC_TONIC_NM * slow * oxt_gain,
        "oxt_vta_nM": OXT_VTA_TONIC_NM * slow * oxt_gain,
        "cocaine_nac_nM": cocaine,
    }
    for name, (receptor, source) in OCCUPANCIES.items():
        traces[name] = traces[source] / (traces[source] + KD_NM[receptor])

    traces["vta_potentiation"] = VTA_POTENTIATION_MAX * block / block.max()
    weight_t = np.arange(0.0, duration, WEIGHT_DT)
    progress = np.clip((weight_t - challenge.start) / (challenge.stop - challenge.start), 0, 1)
    start = rng.normal(1.0, 0.2, WEIGHT_SAMPLES)
    weights = {name: start + drift * progress[:, None]
               + rng.normal(0.0, 0.01, (weight_t.size, WEIGHT_SAMPLES))
               for name, drift in WEIGHT_DRIFT.items()}

    config = {
        "seed": seed,
        "protocol": {"name": "cocaine_challenge",
                     **{p.name: f"{p.stop - p.start:g} s" for p in phases}},
        "populations": {pop: {"n": n} for pop, n in SIZES.items()},
        "dt": "0.1 ms",
    }
    provenance = {"seed": seed, "source": "tests/synthetic.py",
                  "versions": {"numpy": np.__version__}, "git_commit": None, "wall_time_s": 0.0}
    return Results(config=config, seed=seed, sizes=dict(SIZES), spikes=spikes, rate_t=rate_t,
                   rates=rates, trace_t=t, traces=traces, phases=phases, provenance=provenance,
                   weight_t=weight_t, weights=weights)
