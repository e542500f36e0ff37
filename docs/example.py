# %% [markdown]
# # A worked example: from a within-subject experiment to a PSTH
#
# Run a small within-subject experiment (two subjects trained on cocaine
# self-administration, then tested in extinction with and without oxytocin), read its
# tables into pandas, export one recorded session to NWB, and draw a peri-stimulus time
# histogram (PSTH) of D1 MSNs around drug-lever presses with Elephant.
#
#     pip install 'circuit[nwb,examples]'
#     python docs/example.py --out results/example     # or open it as a notebook
#
# The cells (`# %%`) run as a script or, with Jupytext or VS Code, as a notebook. On two
# cores it takes two to three minutes (the network is compiled once and cached). CI runs
# it (tests/test_example.py).

# %%
import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: runs headless in CI
import matplotlib.pyplot as plt
import numpy as np
import quantities as pq
import yaml
from elephant.statistics import time_histogram

import circuit.results
from circuit.experiments import run_spec
from circuit.results.nwb import write_nwb

ROOT = Path(__file__).resolve().parents[1]
parser = argparse.ArgumentParser(description="circuit's worked example")
parser.add_argument("--out", type=Path, default=ROOT / "results" / "example")
# 0: every run in this process. With N > 0 the runs go to N Dask worker processes, which
# start by importing this script: a script (not a notebook) must then keep its work under
# `if __name__ == "__main__":`, Python's rule for process pools.
parser.add_argument("--workers", type=int, default=0)
args, _ = parser.parse_known_args()  # a notebook kernel passes its own arguments
OUT = args.out.absolute()

# %% [markdown]
# ## 1. A within-subject experiment
# Each seed is one subject: trained once (two FR1 sessions, kept whole by
# `behaviour.record`), then every test condition starts from that same trained state.

# %%
spec = {
    "base": str(ROOT / "configs" / "default.yaml"),
    "seeds": [1, 2],
    "set": {"behaviour.record": ["fr1_acquisition"]},  # keep spikes and traces of these
    "train": ["fr1_acquisition", "fr1_acquisition"],
    "tests": {"vehicle": {"behaviour.schedule": ["extinction"]},
              "oxt": {"behaviour.schedule": ["extinction"],
                      "interventions.oxt.given": True,
                      "interventions.oxt.dose": "1 mg/kg"}},
    "contrasts": [["oxt", "vehicle", "lower"]],
    "metrics": ["extinction_first", "extinction_first_expected"],
}
OUT.parent.mkdir(parents=True, exist_ok=True)
spec_path = OUT.parent / f"{OUT.name}_spec.yaml"
spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))
result = run_spec(spec_path, OUT, workers=args.workers, overwrite=True, progress=print)
assert result.complete, result.failed

# %% [markdown]
# ## 2. The tables in pandas

# %%
experiment = circuit.results.load(OUT)
print(experiment)
sessions = experiment.sessions
print(sessions.groupby(["group", "protocol"])[["active", "inactive", "expected_drug"]]
      .mean().round(2))
print(experiment.stats[["metric", "difference", "paired_p"]])

# %% [markdown]
# ## 3. One recorded session: pandas, NWB
# Seed 1's last acquisition session, kept whole: spikes, traces and trial events.

# %%
recorded = experiment.recorded()  # one row per session kept whole
print(recorded[["condition", "seed", "session", "protocol"]])
(folder,) = recorded.query("seed == 1 and session == 1")["path"]
session = circuit.results.load(folder)
print(session)
trials = session.trials_frame()
presses = trials[(trials["option"] == "drug") & (trials["press"] > 0)]["t"].to_numpy()
print(f"{len(presses)} drug-lever presses; spikes per population:")
print(session.spikes_frame().groupby("population", observed=False).size())

nwb_path = write_nwb(session, OUT / "session.nwb", overwrite=True)
print(f"wrote {nwb_path}")

# %% [markdown]
# ## 4. A PSTH of D1 MSNs around drug-lever presses (Elephant)

# %%
BEFORE, AFTER, BIN = 1.0, 1.5, 0.05  # s around each press, bin width
block = session.to_neo()
d1 = [st for st in block.segments[0].spiketrains if st.annotations["population"] == "nac_d1"]
aligned = []
for press in presses:
    if press - BEFORE < 0 or press + AFTER > session.duration:
        continue  # a window that leaves the session
    for train in d1:
        piece = train.time_slice((press - BEFORE) * pq.s, (press + AFTER) * pq.s)
        aligned.append(piece.time_shift(-press * pq.s))
psth = time_histogram(aligned, bin_size=BIN * pq.s, t_start=-BEFORE * pq.s,
                      t_stop=AFTER * pq.s, output="rate")
rate = psth.rescale("Hz").magnitude.ravel()  # mean rate per D1 MSN and press

fig, ax = plt.subplots(figsize=(3.5, 2.4), constrained_layout=True)
ax.step(psth.times.rescale("s").magnitude, rate, where="post", color="#d62728")
ax.axvline(0, color="k", lw=0.8, ls="--")
ax.set_xlabel("time from drug-lever press (s)")
ax.set_ylabel("D1 MSN rate (Hz)")
ax.set_title(f"seed 1, {len(presses)} presses, {len(d1)} D1 MSNs", fontsize=8)
fig.savefig(OUT / "psth_d1.png", dpi=200)
print(f"wrote {OUT / 'psth_d1.png'}")
