"""Behaviour from a session's results: the per-trial table and session summaries.

Rows are plain dicts (one per trial, one per session), written as tidy CSV by
circuit.results.tables; the columns are documented in docs/outputs.md.
"""

from __future__ import annotations

import numpy as np
from brian2 import second
from scipy import stats

from ..model.agent import DRUG, INACTIVE, OPTIONS, SOCIAL, session_trials
from ..protocols.session import presented, trial_starts

#: Columns of the per-trial table, in order.
TRIAL_COLUMNS = ("group", "seed", "session", "protocol", "phase", "trial", "option",
                 "available", "go", "p_go", "action", "outcome", "ratio", "da_peak_nM",
                 "da_mean_nM", "drug_nM", "d1_rate_hz", "d2_rate_hz")
#: Columns of the per-session table, in order.
SESSION_COLUMNS = ("group", "seed", "session", "protocol", "phase", "trials", "active",
                   "inactive", "social", "infusions", "social_rewards", "breakpoint",
                   "social_fraction", "expected_drug", "expected_inactive", "expected_social",
                   "da_mean_nM", "da_before_nM", "da_fold", "d1_rate_hz", "d2_rate_hz",
                   "cortex_d1_weight", "d2r_availability", "vta_potentiation", "oxt_tone",
                   "situation")


def trial_table(results, config, labels: dict) -> list:
    """One row per trial of a behavioural session (see TRIAL_COLUMNS)."""
    behaviour = config["behaviour"]
    window = float(behaviour["window"] / second)
    trials, trial = session_trials(config)
    trial = float(trial / second)
    decisions = results.decisions
    order = presented(config["session"]["options"], trials)
    rows = []
    for k, (start, option) in enumerate(zip(trial_starts(config), order)):
        tick = int(np.argmin(np.abs(decisions["t"] - (start + window))))
        value = {name: decisions[name][tick, option] for name in decisions if name != "t"}
        pressed = bool(value["press"])
        rows.append({
            **labels, "trial": k, "option": OPTIONS[option],
            "available": int(value["evaluated"]), "go": round(float(value["go"]), 4),
            "p_go": round(float(value["p_go"]), 4),
            "action": "press" if pressed else ("withheld" if value["evaluated"] else "withdrawn"),
            "outcome": _outcome(option, value) if pressed else "none",
            "ratio": int(value["ratio"]),
            **_trial_signals(results, start, start + trial),
        })
    return rows


def _outcome(option: int, value: dict) -> str:
    if value["reinforce"]:
        return {DRUG: "infusion", SOCIAL: "social"}.get(option, "none")
    return "cue" if value["cue"] else "none"


def _trial_signals(results, start: float, stop: float) -> dict:
    """DA peak and mean, mean [drug], and MSN rates over one trial."""
    inside = (results.trace_t >= start) & (results.trace_t < stop)
    da = results.traces["da_nac_nM"][inside]
    drug = results.traces["cocaine_nac_nM"][inside]
    return {"da_peak_nM": round(float(da.max()), 2), "da_mean_nM": round(float(da.mean()), 2),
            "drug_nM": round(float(drug.mean()), 2),
            "d1_rate_hz": round(results.mean_rate("nac_d1", start, stop), 3),
            "d2_rate_hz": round(results.mean_rate("nac_d2", start, stop), 3)}


def session_summary(trials: list, labels: dict, state, da_before: float = float("nan")) -> dict:
    """Responses, reinforcers, breakpoint and social fraction of one session;
    `da_before` is its pre-drug [DA] (`da_before_drug`)."""
    shown = {row["option"] for row in trials}

    def count(option, outcome=None):
        """Presses of `option` (with `outcome`); NaN if the session never presented it."""
        if option not in shown:
            return float("nan")
        return sum(1 for row in trials if row["option"] == option and row["action"] == "press"
                   and (outcome is None or row["outcome"] == outcome))

    def expected(option):
        """Expected presses of `option`: the sum of its press probabilities over the
        trials it could be taken (the counts without the decision noise); NaN if never
        presented."""
        if option not in shown:
            return float("nan")
        return round(float(sum(row["p_go"] for row in trials
                               if row["option"] == option and row["available"])), 4)

    active, social = count(OPTIONS[DRUG]), count(OPTIONS[SOCIAL])
    infusions = count(OPTIONS[DRUG], "infusion")
    completed = [row["ratio"] for row in trials if row["outcome"] == "infusion"]
    choices = np.nansum([active, social])
    return {**labels, "trials": len(trials), "active": active,
            "inactive": count(OPTIONS[INACTIVE]), "social": social, "infusions": infusions,
            "social_rewards": count(OPTIONS[SOCIAL], "social"),
            "breakpoint": max(completed) if completed else 0,
            "social_fraction": (round(float(np.nan_to_num(social)) / choices, 4)
                                if choices else float("nan")),
            **{f"expected_{name}": expected(name) for name in
               (OPTIONS[DRUG], OPTIONS[INACTIVE], OPTIONS[SOCIAL])},
            **{name: (round(float(np.mean([row[name] for row in trials])), 4) if trials
                      else float("nan"))  # a session that presents nothing has no trials
               for name in ("da_mean_nM", "d1_rate_hz", "d2_rate_hz")},
            "da_before_nM": da_before, "da_fold": _da_fold(trials, da_before),
            "cortex_d1_weight": _mean_weight(state, "cortex_to_nac_d1"),
            "d2r_availability": round(state.d2r_availability, 5),
            "vta_potentiation": round(state.vta_potentiation, 5),
            "oxt_tone": round(state.oxt_tone, 5),
            "situation": round(state.situation, 5)}


def da_before_drug(results, config) -> float:
    """Mean NAc [DA] (nM) over the session's first option window, before any press can
    be made and before a prime has reached the brain: the session's own pre-drug
    baseline, as the samples before a microdialysis session (Pettit and Justice 1991)."""
    window = float(config["behaviour"]["window"] / second)
    first = results.trace_t < window
    return round(float(results.traces["da_nac_nM"][first].mean()), 4)


def _da_fold(trials: list, da_before: float) -> float:
    """The session's mean [DA] over its pre-drug [DA]."""
    if not trials or not da_before > 0:
        return float("nan")
    return round(float(np.mean([row["da_mean_nM"] for row in trials])) / da_before, 4)


def _mean_weight(state, projection: str) -> float:
    """Mean weight of a plastic projection at the end of the session (NaN if absent)."""
    weights = state.weights.get(projection)
    return round(float(np.mean(weights)), 5) if weights is not None and weights.size else float("nan")


#: Per-subject measures (`subject_metrics`): name -> (phases the schedule needs, meaning).
METRICS = {
    "acquisition_active": (("acquisition",), "mean active-lever presses per acquisition session"),
    "acquisition_last": (("acquisition",), "active-lever presses in the last acquisition session"),
    "acquisition_inactive": (("acquisition",), "mean inactive-lever presses per acquisition session"),
    "acquisition_infusions": (("acquisition",), "mean infusions per acquisition session"),
    "acquisition_expected": (("acquisition",),
                             "mean expected active-lever presses (sum of p(press)) per acquisition session"),
    "naive_press_fraction": (("acquisition",),
                             "presses (both levers) per presentation in the first acquisition session"),
    "acquisition_da_fold": (("acquisition",),
                            "mean NAc [DA] of the last acquisition session over its pre-drug [DA]"),
    "breakpoint": (("progressive_ratio",), "last ratio completed under progressive ratio"),
    "breakpoint_steps": (("progressive_ratio",),
                         "ratios completed (infusions earned) under progressive ratio: the "
                         "breakpoint's position in the ratio series"),
    "extinction_first": (("extinction",), "active presses in the first extinction session"),
    "extinction_last": (("extinction",), "active presses in the last extinction session"),
    "extinction_slope": (("extinction",), "active presses per extinction session (slope)"),
    "extinction_active": (("extinction",), "mean active presses per extinction session"),
    "extinction_expected": (("extinction",),
                            "mean expected active presses per extinction session"),
    "extinction_first_expected": (("extinction",),
                                  "expected active presses in the first extinction session"),
    "extinction_last_expected": (("extinction",),
                                 "expected active presses in the last extinction session"),
    "reinstatement_active": (("reinstatement",), "active presses when reinstated"),
    "reinstatement_ratio": (("extinction", "reinstatement"),
                            "reinstated over last-extinction active presses"),
    "reinstatement_expected": (("reinstatement",), "expected active presses when reinstated"),
    "social_fraction": (("choice",), "fraction of choices for the social option"),
    "acquisition_d1_weight": (("acquisition",),
                              "mean cortex->D1 MSN weight after the last acquisition session"),
    "acquisition_vta_potentiation": (("acquisition",),
                                     "VTA DA input potentiation after the last acquisition session"),
    "acquisition_d2r": (("acquisition",), "D2R availability after the last acquisition session"),
    "final_da_nM": ((), "mean NAc [DA] (nM) over the last session"),
    "final_da_increment": ((), "mean NAc [DA] over the last session minus its pre-drug [DA] "
                               "(nM): the drug-evoked increment"),
    "final_d2_rate": ((), "mean D2 MSN rate (Hz) over the last session"),
    "final_d1_rate": ((), "mean D1 MSN rate (Hz) over the last session"),
}


def subject_metrics(sessions: list) -> dict:
    """Per-subject measures across phases: acquisition (mean active presses over the
    acquisition sessions and the last one), breakpoint, extinction slope (active presses
    per session, least squares), reinstatement ratio (active presses in reinstatement
    over those of the last extinction session, floored at one press), social fraction."""
    by_phase = {}
    for row in sessions:
        by_phase.setdefault(row["phase"], []).append(row)
    metrics = {}
    if "acquisition" in by_phase:
        acquisition = by_phase["acquisition"]
        first, last = acquisition[0], acquisition[-1]
        active = [row["active"] for row in acquisition]
        metrics["acquisition_active"] = float(np.mean(active))
        metrics["acquisition_last"] = float(active[-1])
        metrics["acquisition_inactive"] = float(np.mean([r["inactive"] for r in acquisition]))
        metrics["acquisition_infusions"] = float(np.mean([r["infusions"] for r in acquisition]))
        metrics["acquisition_expected"] = float(np.mean([r["expected_drug"] for r in acquisition]))
        metrics["naive_press_fraction"] = float(
            np.nansum([first["active"], first["inactive"]]) / max(first["trials"], 1))
        metrics["acquisition_da_fold"] = float(last.get("da_fold", float("nan")))
        metrics["acquisition_d1_weight"] = float(last["cortex_d1_weight"])
        metrics["acquisition_vta_potentiation"] = float(last["vta_potentiation"])
        metrics["acquisition_d2r"] = float(last["d2r_availability"])
    if sessions:
        metrics["final_da_nM"] = float(sessions[-1]["da_mean_nM"])
        metrics["final_d2_rate"] = float(sessions[-1]["d2_rate_hz"])
        metrics["final_d1_rate"] = float(sessions[-1]["d1_rate_hz"])
        metrics["final_da_increment"] = float(sessions[-1]["da_mean_nM"]
                                              - sessions[-1]["da_before_nM"])
    if "progressive_ratio" in by_phase:
        metrics["breakpoint"] = float(max(r["breakpoint"] for r in by_phase["progressive_ratio"]))
        metrics["breakpoint_steps"] = float(max(r["infusions"]
                                                for r in by_phase["progressive_ratio"]))
    extinction = by_phase.get("extinction", [])
    if extinction:
        active = [row["active"] for row in extinction]
        metrics["extinction_first"] = float(active[0])
        metrics["extinction_last"] = float(active[-1])
        metrics["extinction_active"] = float(np.mean(active))
        metrics["extinction_expected"] = float(np.mean([r["expected_drug"] for r in extinction]))
        metrics["extinction_first_expected"] = float(extinction[0]["expected_drug"])
        metrics["extinction_last_expected"] = float(extinction[-1]["expected_drug"])
        metrics["extinction_slope"] = (float(stats.linregress(np.arange(len(active)),
                                                              active).slope)
                                       if len(active) > 1 else float("nan"))
    if "reinstatement" in by_phase:
        reinstated = float(np.mean([r["active"] for r in by_phase["reinstatement"]]))
        metrics["reinstatement_active"] = reinstated
        metrics["reinstatement_expected"] = float(np.mean([r["expected_drug"]
                                                           for r in by_phase["reinstatement"]]))
    if "reinstatement" in by_phase and extinction:
        metrics["reinstatement_ratio"] = reinstated / max(float(extinction[-1]["active"]), 1.0)
    if "choice" in by_phase:
        fractions = [r["social_fraction"] for r in by_phase["choice"]]
        metrics["social_fraction"] = float(np.nanmean(fractions))
    return metrics
