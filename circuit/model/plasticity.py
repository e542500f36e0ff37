"""Dopamine-gated three-factor plasticity at glutamatergic synapses onto MSNs.

The rule, written once with the sign of every term in docs/plasticity.md:

    dapre/dt  = -apre / tau_plus    + sum_pre  delta(t - t_pre)
    dapost/dt = -apost / tau_minus  + sum_post delta(t - t_post)
    dc/dt      = -c / tau_c + A_plus [apre - theta]+ [at post spikes] - A_minus apost [at pre spikes]
    dw/dt      = eta c m(t) - A_oxt [occ_oxtr - occ_oxtr(ref)]+ M4 critical_period oxtr_terminals
                 [apre >= oxt_ltd_gate]   [at pre]
    m(t)       = s (occ(t) - occ_ref)        cell-type mode (D1R on D1, D2R on D2 MSNs)
                 beyond a dead zone; a rise counts from max(occ_ref, rise_floor)
    m(t)       = n(t) - b                    canonical mode (Izhikevich 2007; Potjans 2010)

Each presynaptic spike adds w g_max r to the conductance, with the release factor
r = 1 - M8 cut [occ_oxtr - occ_oxtr(ref)]+ [apre >= glutamate_release_gate].

Fast form (default): between a synapse's own events c only decays, c(t) = C_elig E(t),
where E (dE/dt = -E/tau_c, one per neuron, reset to 1 at each renewal) carries the decay
for all synapses of a cell. The weight change over any interval is then eta C_elig times
the rise of a per-neuron accumulator Q with dQ/dt = m(t) E(t). Each synapse applies it
lazily at its pre and post spikes; every `renewal` period all synapses flush, C_elig is
rescaled and E restarts at 1, so the numbers stay O(1). Per-synapse work is event-driven; only Q
(one value per neuron) is integrated every step. The clock-driven form integrates c and
w per synapse every step and exists to test the fast form against.
"""

from . import equations as eq

#: Per-neuron third factor and its accumulator (added to MSN equations). With an
#: adaptive reference the occupancy reference tracks the cell's own recent occupancy
#: (time constant tau_reference), so only phasic DA (bursts, pauses) moves weights and a
#: sustained rise (a drug on board) stops doing so after a few tau_reference. Changes of
#: occupancy within +-dead_zone do not teach (spontaneous DA fluctuations; D2R, with its
#: high affinity, sees them almost as large as a reward burst). A rise counts from the
#: higher of the reference and `rise_floor` (0 on D1 MSNs; on D2 MSNs a fraction of the
#: tonic occupancy, `plasticity.d2_ltd_activation`: D2 MSN LTD needs D2R activation,
#: Shen et al. 2008, the level a choice), so a reference lowered by an antagonist does
#: not turn DA peaks that surmount it into LTD. `n_da` is the
#: canonical DA trace, read from the volume (or driven directly on the plasticity bench).
MODULATOR = """
m = plasticity_on * (canonical * (n_da - b_da)
    + (1 - canonical) * modulation_sign * (rise + dip)) : 1
rise = clip(occ_gate - rise_reference - dead_zone, 0, inf) : 1
dip = clip(occ_change + dead_zone, -inf, 0) : 1
rise_reference = occ_ref_now + clip(rise_floor - occ_ref_now, 0, inf) : 1
occ_change = occ_gate - occ_ref_now : 1
dead_zone : 1 (shared, constant)
rise_floor : 1 (shared, constant)
occ_gate = d1_gated * occ_d1r + (1 - d1_gated) * occ_d2r : 1
occ_ref_now = adaptive * occ_tracked + (1 - adaptive) * occ_reference : 1
docc_tracked/dt = adaptive * (occ_gate - occ_tracked) / tau_reference : 1
adaptive : 1 (shared, constant)
tau_reference : second (shared, constant)
dQ/dt = m * E_c : second
dE_c/dt = -E_c / tau_c : 1
plasticity_on : 1 (shared, constant)
canonical : 1 (shared, constant)
b_da : 1 (shared, constant)
tau_c : second (shared, constant)
modulation_sign : 1 (shared, constant)
d1_gated : 1 (shared, constant)
occ_reference : 1 (shared, constant)
"""

#: What every plastic synapse holds besides the excitatory conductance parameters.
_CONSTANTS = """
tau_plus : second (shared, constant)
tau_minus : second (shared, constant)
A_plus : 1 (shared, constant)
A_minus : 1 (shared, constant)
pre_threshold : 1 (shared, constant)
eta : 1 / second (shared, constant)
w_max : 1 (shared, constant)
A_oxt : 1 (shared, constant)
M4 : 1 (shared, constant)
critical_period : 1 (shared, constant)
oxtr_terminals : 1 (shared, constant)
occ_oxt_reference : 1 (shared, constant)
oxt_ltd_gate : 1 (shared, constant)
M8 : 1 (shared, constant)
glu_release_cut : 1 (shared, constant)
glu_release_gate : 1 (shared, constant)
"""
_TRACES = """
dapre/dt = -apre / tau_plus : 1 (event-driven)
dapost/dt = -apost / tau_minus : 1 (event-driven)
""" + _CONSTANTS

#: OXT-LTD (M4; Dolen et al. 2013): each presynaptic spike depresses the synapse in
#: proportion to OXTR occupancy at the NAc [OXT], inside the critical period (Nardou 2019).
#: Only OXTR occupancy above that of the tonic [OXT] (`plasticity.oxt_reference`) counts,
#: so the endogenous tone alone does not drain the weights over long sessions. OXT-LTD
#: needs co-activation (5-HT1B with OXTR, Dolen et al. 2013): a spike depresses its
#: synapse only while the input is active, its presynaptic trace (before this spike) at
#: or above `oxt_ltd_gate` (0: every spike; above a background input's trace: only
#: inputs firing in a burst, such as a presented option's ensemble).
_OXT_LTD = ("w = clip(w - M4 * critical_period * oxtr_terminals * A_oxt"
            " * int(apre >= oxt_ltd_gate)"
            " * clip(OXT_post / (OXT_post + Kd_oxtr_post) - occ_oxt_reference, 0, 1), 0, w_max)")

#: OXT and glutamate release (M8; Weber et al. 2018, Bernheim et al. 2017): OXT in the NAc
#: core raises extracellular glutamate, which acts on presynaptic mGlu2/3 and lowers
#: release at the MSNs' glutamatergic afferents (Eur J Neurosci 1997,
#: doi:10.1111/j.1460-9568.1997.tb01506.x; Robbe et al. 2002).
#: Each spike's conductance increment is scaled by (1 - cut x OXTR occupancy above the
#: tonic's), at spikes whose input's trace before them is at or above `glu_release_gate`
#: (0: every spike; 0.3: an input already firing in a burst, an option's ensemble).
#: Acute: the weight itself is left as it is. Computed before `apre += 1`.
_RELEASE = ("release = 1 - M8 * glu_release_cut * int(apre >= glu_release_gate)"
            " * clip(OXT_post / (OXT_post + Kd_oxtr_post) - occ_oxt_reference, 0, 1)")

#: The PV cells' cortical input with M8 and no learning (`oxt_actions.glutamate_release_pv`):
#: the same release factor, read from the [OXT] at the PV cell, and the trace its gate
#: needs.
THINNED = eq.EXCITATORY + """
dapre/dt = -apre / tau_plus : 1 (event-driven)
tau_plus : second (shared, constant)
M8 : 1 (shared, constant)
glu_release_cut : 1 (shared, constant)
glu_release_gate : 1 (shared, constant)
occ_oxt_reference : 1 (shared, constant)
"""
THINNED_ON_PRE = "\n".join([_RELEASE, "apre += 1", eq.RELEASED_ON_PRE])

#: Fast (event-driven, exact between events) form.
FAST = eq.EXCITATORY + _TRACES + """
C_elig : 1
Q_last : second
"""
_FLUSH = "w = clip(w + eta * C_elig * (Q_post - Q_last), 0, w_max); Q_last = Q_post"
_SCALE = "(1 / E_c_post)"
FAST_ON_PRE = "\n".join([_FLUSH, _OXT_LTD, _RELEASE, "apre += 1",
                         f"C_elig -= A_minus * apost * {_SCALE}", eq.RELEASED_ON_PRE])
#: Pre-before-post pairings count only the presynaptic trace above `pre_threshold`
#: (theta): with theta > 0 a synapse becomes eligible when its input fires in a burst
#: (an option's ensemble), not at a background rate.
_LTP_TRACE = "clip(apre - pre_threshold, 0, inf)"
FAST_ON_POST = "\n".join([_FLUSH, "apost += 1", f"C_elig += A_plus * {_LTP_TRACE} * {_SCALE}"])
#: Every `renewal`: apply what is pending, then restart the exponentials from t.
FAST_RENEWAL = "\n".join([_FLUSH, f"C_elig = C_elig / {_SCALE}", "Q_last = 0 * second"])
NEURON_RENEWAL = "Q = 0 * second\nE_c = 1"

#: Clock-driven form: the same rule integrated per synapse every time step.
CLOCK = eq.EXCITATORY.replace("w : 1", "") + _TRACES + """
dc_elig/dt = -c_elig / tau_c_post : 1 (clock-driven)
dw/dt = eta * c_elig * m_post : 1 (clock-driven)
"""
_CLIP = "w = clip(w, 0, w_max)"
CLOCK_ON_PRE = "\n".join([_CLIP, _OXT_LTD, _RELEASE, "apre += 1",
                          "c_elig -= A_minus * apost", eq.RELEASED_ON_PRE])
CLOCK_ON_POST = "\n".join([_CLIP, "apost += 1", f"c_elig += A_plus * {_LTP_TRACE}"])

#: Frozen: the same synapses with fixed weights and no plasticity state (cost baseline);
#: without traces it carries neither OXT action at the synapse (M4, M8).
FORMS = {"fast": (FAST, FAST_ON_PRE, FAST_ON_POST),
         "clock": (CLOCK, CLOCK_ON_PRE, CLOCK_ON_POST),
         "frozen": (eq.EXCITATORY + _CONSTANTS, eq.EXCITATORY_ON_PRE, None)}

#: Variables to record, per form, from the synapses and from their postsynaptic cells.
RECORDED = {"fast": (("w", "C_elig", "Q_last"), ("Q", "E_c")),
            "clock": (("w", "c_elig"), ()),
            "frozen": (("w",), ())}


def current_state(form: str, synaptic: dict, post: dict, eta: float, w_max: float) -> tuple:
    """(weight, eligibility) from recorded or final variables (NumPy, SI units).

    In the fast form the stored `w` lags: the pending change eta C_elig (Q - Q_last) is added
    and c = C_elig E_c, exactly as the synapse itself would at its next event.
    """
    import numpy as np

    if form == "frozen":
        return synaptic["w"], np.zeros_like(synaptic["w"])
    if form == "clock":
        return synaptic["w"], synaptic["c_elig"]
    pending = eta * synaptic["C_elig"] * (post["Q"] - synaptic["Q_last"])
    weight = np.clip(synaptic["w"] + pending, 0, w_max)
    eligibility = synaptic["C_elig"] * post["E_c"]
    return weight, eligibility
