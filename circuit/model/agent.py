"""The behaving circuit: NAc output selects actions, and their outcomes feed back.

One agent neuron per option (`OPTIONS`: the drug lever, the inactive lever, the social
option). The protocol presents one option at a time for a `window` (its cortical
ensemble fires, see `populations.AFFERENT`); D1 and D2 MSN spikes are counted through
that window, and at its end the option is taken ("pressed", a spike of its agent
neuron) with probability

    p_go = epsilon + (1 - epsilon) / (1 + exp(-(go - go_threshold) / go_slope))
    epsilon = exploration, or with directed exploration
              exploration sqrt(exploration_prior / (exploration_prior + taken))
    go = ((1 + rho) dN_D1 - k_D2 (1 - rho) dN_D2) / (B_D1 + k_D2 B_D2)
    rho = clip(dopamine_gain ln(DA_tonic / DA_reference), -1, 1)

where dN_D1, dN_D2 are the option-evoked spikes of the D1 and D2 MSN populations (the
window's spikes minus the baseline) and B_D1, B_D2 the baselines: exponential averages
(time constant `baseline_tau`) of the spikes in the preceding windows in which no option
was presented (and, with `cue_in_baseline` off, no drug cue was on: the cue is then a
stimulus whose drive on the MSNs counts as evoked, as an option's does). D1 MSNs promote
and D2 MSNs suppress the action (SCIENCE.md sec. 2), D2 output weighted by k_D2
(`behaviour.d2_weight`). The competition is normalised by the
striatum's ongoing output (divisive normalisation, Carandini and Heeger 2012), so a
change that scales the activity of both pathways alike (a uniform damping of MSNs, a
weight change common to every input) does not by itself change choice; what selects an
option is how much more go than no-go it evokes, relative to what the striatum does
without it. A drug on board or tonic DA, which moves every MSN's rate, does not by
itself select any particular option; a striatum that does not respond to the option
does not act. Tonic DA sets the gains of the two pathways, as in the opponent
actor-learner (OpAL, Collins and Frank 2014: beta_G = beta (1 + rho), beta_N = beta
(1 - rho)): rho is the log of the NAc [DA] averaged over the last `tonic_tau` (sampled at
every window boundary, so phasic bursts and pauses barely move it) over the drug-free
tonic [DA] (`plasticity.da_reference`), times `dopamine_gain`. More tonic DA lets an
option's learnt go response count for more and its learnt no-go response for less; at
the reference, or with `dopamine_gain` 0, the two pathways read alike.

A press is reinforced when the option pays in this session and the ratio is met (fixed
or progressive, Richardson and Roberts 1996); with a limited hold the session ends (no
option can be taken) when the next reinforcer is not earned within it.
Outcomes are synapses from the agent:

- drug: an infusion into the drug depot, a phasic DA burst (a current into VTA DA
  neurons, the response-locked DA release of Phillips et al. 2003), and the drug cue;
- the drug cue, a conditioned reinforcer: at each presentation it drives VTA DA neurons
  with `I_cue` times its learnt value, the drug it predicts (cues paired with cocaine
  come to evoke phasic DA release on their own, and only after that pairing: Phillips et
  al. 2003), and that value moves towards the outcome, 1 with an infusion and 0 without,
  at the rate `cue_learning` (Rescorla and Wagner 1972): it grows in self-administration
  and extinguishes when the cue is presented without the drug;
- omission: a press of an option that does not pay in this session (the inactive lever;
  the drug lever in extinction and reinstatement tests) pauses VTA DA neurons (a
  negative current, the negative prediction error of an action that earns nothing);
  with `omission_by_value` the pause is scaled by the option's learnt value, the
  sigmoid of its go signal without the exploration floor (the reward the press
  predicted: the DA prediction error is received minus predicted reward, graded with
  the reward's probability, Schultz et al. 1997; Fiorillo et al. 2003); presses short
  of a progressive ratio are not omissions;
- social: PVN OXT neurons fire (OXT release into the fields), VTA DA neurons burst
  through the OXTR of their PVN OXT input (M5; gated by OXTR expression, the M5 switch
  and an OXTR antagonist), and VTA GABA neurons are inhibited (the opioid-dependent
  part, which naltrexone blocks);
- exclusive choice: a press withdraws the other options until the trial ends;
- the situation: the subject's belief that it is in the situation the drug was taken in
  (`situation`, 1) rather than in another (0), which sets which of the option ensembles'
  situation-coding cells fire (`populations.AFFERENT`): exp(-evidence), the evidence of
  being elsewhere, which each omission raises by `situation_switch` times the press's
  prediction error (the option's learnt value, as for `omission_by_value`) and each
  presentation of the drug cue lowers by `situation_retrieval`, never below 0 nor above
  -ln(`situation_floor`) (read at every window boundary): situations can always change
  again, so no run of omissions makes the subject certain it is elsewhere. Extinction
  is then learnt largely on other synapses than acquisition, and a drug cue retrieves
  what was acquired:
  extinction as new, context-dependent learning rather than unlearning (Bouton 2004
  Learn Mem 11:485), the situation inferred from what the outcomes say (latent causes,
  Gershman and Niv 2012 Learn Behav; a situation-recognition process beside value
  learning, Redish et al. 2007 Psychol Rev 114:784). The belief is carried from session
  to session.

Everything is Brian2 code, so a whole session is one standalone run.
"""

from __future__ import annotations

import numpy as np
from brian2 import NeuronGroup, Synapses, TimedArray, linked_var

from . import pharmacology

OPTIONS = ("drug", "inactive", "social")
DRUG, INACTIVE, SOCIAL = range(len(OPTIONS))

AGENT = """
d1_count : 1
d2_count : 1
d1_baseline : 1
d2_baseline : 1
baseline_windows : 1
presenting : 1
quiet : 1
go : 1
value : 1
p_go : 1
epsilon : 1
taken : 1
rho : 1
DA_tonic : mmolar
DA_nac : mmolar (linked)
evaluated : 1
press : 1
reinforce : 1
cue : 1
cue_until : second
cue_value : 1
situation_evidence : 1
situation : 1
since : 1
ratio : 1
earned : 1
blocked_until : second
last_paid : second
paid = int(i == 0) * drug_paid + int(i == 2) * social_paid : 1
window : second (shared, constant)
baseline_tau : second (shared, constant)
cue_in_baseline : 1 (shared, constant)
go_threshold : 1 (shared, constant)
go_slope : 1 (shared, constant)
exploration : 1 (shared, constant)
exploration_prior : 1 (shared, constant)
d2_weight : 1 (shared, constant)
dopamine_gain : 1 (shared, constant)
DA_reference : mmolar (shared, constant)
tonic_tau : second (shared, constant)
situation_evidence_max : 1 (shared, constant)
drug_paid : 1 (shared, constant)
social_paid : 1 (shared, constant)
cue_with_reward : 1 (shared, constant)
cue_on_press : 1 (shared, constant)
cue_learning : 1 (shared, constant)
fixed_ratio : 1 (shared, constant)
progressive : 1 (shared, constant)
timeout : second (shared, constant)
limited_hold : second (shared, constant)
session_start : second (shared, constant)
"""

#: Richardson and Roberts (1996) progressive ratio: the n-th reinforcer needs
#: round(5 exp(0.2 n) - 5) presses (1, 2, 4, 6, 9, 12, 15, 20, ...).
_RATIO = "fixed_ratio + progressive * (floor(5 * exp(0.2 * (earned + 1)) - 5 + 0.5) - fixed_ratio)"
_NEXT_RATIO = f"ratio = {_RATIO}"

#: The pooled baseline counts at least one spike, so a silent striatum reads as no
#: response rather than an infinite one.
_MIN_BASELINE_SPIKES = 1
_GO = ("((1 + rho) * (d1_count - d1_baseline) - d2_weight * (1 - rho) * (d2_count - d2_baseline))"
       f" / clip(d1_baseline + d2_weight * d2_baseline, {_MIN_BASELINE_SPIKES}, inf)")

#: The smallest tonic [DA] / reference the DA gain reads (a field emptied of DA gives
#: rho = -1 through the clip, not the log of zero).
_MIN_DA_RATIO = 1e-6

_BASELINE_GAIN = "clip(1 / clip(baseline_windows, 1, inf), window / baseline_tau, 1)"

#: Directed exploration (`exploration_prior` > 0): the probability of taking an option
#: whatever its go signal falls with the option's uncertainty, the standard deviation of
#: a reward-probability estimate after `taken` presses on a prior worth
#: `exploration_prior` presses, sqrt(prior / (prior + taken)); 0: a fixed epsilon.
#: (With no prior the square root reads 0 / (taken + 1), never 0 / 0.)
_EPSILON = ("exploration * (int(exploration_prior <= 0) + int(exploration_prior > 0)"
            " * sqrt(exploration_prior"
            " / (exploration_prior + taken + int(exploration_prior <= 0))))")

#: A window counts toward the baseline when no option was presented in it and, unless
#: `cue_in_baseline`, the drug cue was off throughout it.
_QUIET = "(1 - presenting) * (1 - (1 - cue_in_baseline) * int(cue_until > t - window))"

#: The limited hold: the session is over (no option can be taken) once `limited_hold`
#: has passed since the last reinforcer, or since the session start (0: no limit).
_HOLD_OPEN = ("int(int(limited_hold <= 0 * second)"
              " + int(t - clip(last_paid, session_start, inf * second) < limited_hold) > 0)")

#: At every window boundary: decide for the option whose window just ended.
#: Quiet windows (`_QUIET`) update the baseline: a running mean until `baseline_tau`
#: worth of windows has been seen, then an exponential average.
DECIDE = "\n".join([
    "presenting = int(option_window(t - 0.5 * window) >= 0)",
    f"quiet = {_QUIET}",
    "evaluated = int(abs(option_window(t - 0.5 * window) - i) < 0.5) * int(t >= blocked_until)"
    f" * {_HOLD_OPEN}",
    "situation_evidence = clip(situation_evidence, 0, situation_evidence_max)",
    "situation = exp(-situation_evidence)",
    "DA_tonic += (DA_nac - DA_tonic) * clip(window / tonic_tau, 0, 1)",
    f"rho = clip(dopamine_gain * log(clip(DA_tonic / DA_reference, {_MIN_DA_RATIO}, inf)), -1, 1)",
    f"go = {_GO}",
    "value = 1 / (1 + exp(-(go - go_threshold) / go_slope))",
    f"epsilon = {_EPSILON}",
    "p_go = evaluated * (epsilon + (1 - epsilon) * value)",
    "press = int(rand() < p_go)",
    "reinforce = press * paid * int(since + 1 >= ratio)",
    "cue = press * int(i == 0) * clip(reinforce * cue_with_reward + cue_on_press, 0, 1)",
    "baseline_windows += quiet",
    f"d1_baseline += quiet * (d1_count - d1_baseline) * {_BASELINE_GAIN}",
    f"d2_baseline += quiet * (d2_count - d2_baseline) * {_BASELINE_GAIN}",
    "d1_count = 0",
    "d2_count = 0",
])


def _extend(variable: str, until: str, gate: str) -> str:
    """Code that moves `variable` (a time) out to `until` where `gate` is 1, never back."""
    return (f"{variable} = {variable} + {gate} * clip({until} - {variable}, 0 * second, "
            "inf * second)")


#: After the outcome synapses have read the press (they run before resets).
PRESS_RESET = "\n".join([
    "press = 0",
    "taken += 1",
    "cue_value += cue * cue_learning * (reinforce - cue_value)",
    "since = (since + 1) * (1 - reinforce)",
    "earned += reinforce",
    _NEXT_RATIO,
    _extend("blocked_until", "t + timeout", "reinforce"),
    _extend("last_paid", "t", "reinforce"),
])

#: Outcome synapses: (target, model, on_pre). `i` is the option that was taken.
INFUSION = ("infusion_dose : mmolar (shared, constant)",
            "COC_depot_post += infusion_dose * reinforce_pre * int(i == 0)")
#: The omission pause: the full `I_omission`, or (`omission_by_value`) `I_omission` times
#: the option's learnt value, the reward the press predicted (Schultz et al. 1997).
_OMISSION = "I_omission * (1 - omission_by_value + omission_by_value * value_pre)"
DA_OUTCOME = ("I_reward : amp (shared, constant)\nI_omission : amp (shared, constant)\n"
              "omission_by_value : 1 (shared, constant)\nI_social_da : amp (shared, constant)\n"
              "I_cue : amp (shared, constant)",
              "I_outcome_post += I_reward * reinforce_pre * int(i == 0)"
              " + I_cue * cue_value_pre * cue_pre"
              " + I_social_da * reinforce_pre * int(i == 2)"
              f" - {_OMISSION} * press_pre * (1 - paid_pre)")
SOCIAL_OXT = ("I_social : amp (shared, constant)",
              "I_outcome_post += I_social * reinforce_pre * int(i == 2)")
SOCIAL_OPIOID = ("I_social_opioid : amp (shared, constant)\nopioid_available : 1 (shared, constant)",
                 "I_outcome_post -= I_social_opioid * opioid_available * reinforce_pre * int(i == 2)")
#: The situation belief (see the module docstring) is exp(-evidence), the evidence of
#: being elsewhere than where the drug was taken, never below 0: an omission adds
#: `situation_switch` times its prediction error (the press's value, as in
#: `_OMISSION`), a drug cue removes `situation_retrieval`. Every option's neuron holds
#: the same evidence, so every press updates all of them (the synapse connects all
#: pairs); the updates add, so they do not depend on the order synapses run in.
SITUATION = ("situation_switch : 1 (shared, constant)\n"
             "situation_retrieval : 1 (shared, constant)",
             "situation_evidence_post += situation_switch * press_pre * (1 - paid_pre) * value_pre"
             " - situation_retrieval * cue_pre")
CUE = ("cue_duration : second (shared, constant)",
       "cue_until_post = cue_pre * (t + cue_duration) + (1 - cue_pre) * cue_until_post")
#: A reinforced press starts a timeout for every option (levers retract, so the
#: ensembles fall silent); in exclusive choice a press also withdraws the other options
#: to the end of the choice trial.
_TRIAL_END = "(trial_start + (floor((t - trial_start) / choice_trial) + 1) * choice_trial)"
_WITHDRAWAL = ("exclusive : 1 (shared, constant)\ntrial_start : second (shared, constant)\n"
               "choice_trial : second (shared, constant)")
_OPTION_AFFERENT = "int(ensemble_post >= 0)"
WITHDRAW = (_WITHDRAWAL, "\n".join([
    _extend("silenced_until_post", _TRIAL_END,
            f"exclusive * int(ensemble_post != i) * {_OPTION_AFFERENT}"),
    _extend("silenced_until_post", "t + timeout_pre", f"reinforce_pre * {_OPTION_AFFERENT}")]))
BLOCK = (_WITHDRAWAL, "\n".join([_extend("blocked_until_post", _TRIAL_END, "exclusive"),
                                  _extend("blocked_until_post", "t + timeout_pre", "reinforce_pre")]))


#: The cue also reaches the agent itself, whose readout may leave it out of the baseline.
CUE_TO_AGENT = "cue_agent"


def outcome_name(name: str) -> str:
    """Object name of outcome synapse `name`."""
    return f"outcome_{name}"


def cue_outcome(pool: str) -> str:
    """Name of the outcome synapse that turns on the cue ensemble of afferent `pool`."""
    return f"cue_{pool}"


def build_agent(option_window: TimedArray) -> NeuronGroup:
    """The agent: one neuron per option, spiking when it is taken."""
    return NeuronGroup(len(OPTIONS), AGENT, threshold="press > 0.5", reset=PRESS_RESET,
                       namespace={"option_window": option_window}, name="agent")


def schedule_decisions(agent: NeuronGroup, window) -> None:
    """Decide at every window boundary (the window length is structural)."""
    agent.run_regularly(DECIDE, dt=window, when="start", name="agent_decide")


def initialise_agent(agent: NeuronGroup) -> None:
    """Nothing earned, the first ratio pending, nothing blocked."""
    agent.earned = 0
    agent.since = 0
    agent.ratio = _RATIO
    agent.blocked_until = "-1 * second"
    agent.last_paid = "-1 * second"
    agent.baseline_windows = 0
    agent.taken = 0  # a subject's experience is restored from its state (running.restore)
    agent.cue_until = "-1 * second"
    agent.cue_value = 0  # restored, like `taken`, from the subject's state
    agent.situation_evidence = 0  # a naive subject knows one situation; restored
    agent.situation = 1
    agent.DA_tonic = "DA_reference"


def link_dopamine(agent: NeuronGroup, volume, compartment: int) -> None:
    """Let the agent read [DA] of the volume's row `compartment` (the NAc)."""
    agent.DA_nac = linked_var(volume, "DA", index=np.full(len(agent), compartment))


def link_situation(afferent: NeuronGroup, agent: NeuronGroup) -> None:
    """Let afferent pool `afferent` read the agent's situation belief."""
    afferent.situation = linked_var(agent, "situation", index=np.zeros(len(afferent), dtype=int))


def build_counters(agent: NeuronGroup, d1, d2) -> list:
    """Count D1 and D2 MSN spikes into every agent neuron (reset at each decision)."""
    counters = []
    for group, variable in ((d1, "d1_count"), (d2, "d2_count")):
        counter = Synapses(group, agent, on_pre=f"{variable}_post += 1",
                           name=f"count_{group.name}")
        counter.connect()
        counters.append(counter)
    return counters


def build_outcomes(agent: NeuronGroup, volume, vta_da, vta_gaba, pvn_oxt, cue_pools: dict,
                   option_pool) -> list:
    """Every outcome synapse of the agent (see the module docstring); the cue turns on
    the cue ensemble of every pool in `cue_pools` ({pool name: afferent group})."""
    targets = [("infusion", volume, INFUSION, None), ("da_outcome", vta_da, DA_OUTCOME, None),
               ("social_oxt", pvn_oxt, SOCIAL_OXT, None),
               ("social_opioid", vta_gaba, SOCIAL_OPIOID, None),
               *((cue_outcome(pool), group, CUE, None) for pool, group in cue_pools.items()),
               (CUE_TO_AGENT, agent, CUE, None), ("situation", agent, SITUATION, None),
               ("withdraw", option_pool, WITHDRAW, None), ("block", agent, BLOCK, "i != j")]
    synapses = []
    for name, target, (model, on_pre), condition in targets:
        outcome = Synapses(agent, target, model, on_pre=on_pre, name=outcome_name(name))
        outcome.connect(condition=condition)
        synapses.append(outcome)
    return synapses


def session_length(behaviour: dict, session: dict):
    """How long the current session lasts: behaviour.trials x behaviour.trial (the
    standard session) times `session.length_factor`."""
    return session["length_factor"] * behaviour["trials"] * behaviour["trial"]


def session_trials(config: dict) -> tuple:
    """(number of trials, trial length) of the current session: `session_length` divided
    into trials of `session.trial` when set (more presentations), else of
    behaviour.trial."""
    behaviour = config["behaviour"]
    length = session_length(behaviour, config["session"])
    trial = config["session"]["trial"] if config["session"]["trial"] > 0 else behaviour["trial"]
    return int(round(float(length / trial))), trial


def outcome_parameters(config: dict) -> dict:
    """Constants of every outcome synapse, {name: {variable: value}} (see `build_outcomes`)."""
    behaviour, session = config["behaviour"], config["session"]
    effective = pharmacology.effective(config)
    values = {
        "infusion": {"infusion_dose": behaviour["infusion_dose"] * effective["brain_per_dose"]},
        "da_outcome": {"I_reward": behaviour["reward_current"],
                       "I_omission": behaviour["omission_current"],
                       "omission_by_value": float(behaviour["omission_by_value"]),
                       "I_cue": behaviour["cue_current"],
                       "I_social_da": behaviour["social_da_current"] * effective["social_da_gate"]},
        "social_oxt": {"I_social": behaviour["social_current"]},
        "social_opioid": {"I_social_opioid": behaviour["social_opioid_current"],
                          "opioid_available": effective["opioid_available"]},
    }
    cue = {"cue_duration": behaviour["cue_duration"]}
    values.update({cue_outcome(pool): cue
                   for pool, role in behaviour["ensembles"].items() if role == "cue"})
    values[CUE_TO_AGENT] = cue
    values["situation"] = {"situation_switch": behaviour["situation_switch"],
                           "situation_retrieval": behaviour["situation_retrieval"]}
    choice = {"exclusive": float(session["exclusive"]), "trial_start": behaviour["warmup"],
              "choice_trial": session_trials(config)[1] * max(len(session["options"]), 1)}
    values["withdraw"] = values["block"] = choice
    return values


def _evidence_max(floor: float) -> float:
    """The most evidence of being elsewhere: the belief's floor is exp(-it)."""
    return float(-np.log(floor)) if floor > 0 else float("inf")


def agent_parameters(config: dict) -> dict:
    """Decision constants and the current session's reinforcement contingencies."""
    behaviour, session = config["behaviour"], config["session"]
    return dict(window=behaviour["window"],
                baseline_tau=behaviour["baseline_tau"],
                cue_in_baseline=float(behaviour["cue_in_baseline"]),
                go_threshold=behaviour["go_threshold"], go_slope=behaviour["go_slope"],
                exploration=behaviour["exploration"],
                exploration_prior=behaviour["exploration_prior"],
                d2_weight=behaviour["d2_weight"],
                dopamine_gain=behaviour["dopamine_gain"], tonic_tau=behaviour["tonic_tau"],
                DA_reference=config["plasticity"]["da_reference"],
                situation_evidence_max=_evidence_max(behaviour["situation_floor"]),
                drug_paid=float(session["drug_paid"]), social_paid=float(session["social_paid"]),
                cue_with_reward=float(session["cue_with_reward"]),
                cue_on_press=float(session["cue_on_press"]),
                cue_learning=behaviour["cue_learning"],
                fixed_ratio=float(session["ratio"]),
                progressive=float(session["schedule"] == "progressive"),
                timeout=behaviour["timeout"], limited_hold=session["limited_hold"],
                session_start=behaviour["warmup"])
