"""Model equations as Brian2 strings, one constant per cell type or mechanism.

Each string can be read against its paper. Parameters that experiments change (every
value in the config) are declared ``(shared, constant)`` so that a compiled standalone
binary can be re-run with new values through ``run_args``; only structure (sizes,
connectivity, which equations) needs a new build. See docs/model.md for the tables.
"""

#: Receptor occupancies (M1, the D2R-OXTR heteromer: OXTR occupancy raises the D2R
#: agonist affinity by up to `heteromer_fold` and its Gi/o coupling by up to
#: `heteromer_coupling`, Romero-Fernandez et al. 2013; folds not known, parameters; for
#: DA and a D2R agonist alike). `M1` is 1 where the heteromer's site (postsynaptic D2R on
#: D2 MSNs, `receptors.heteromer_site`) includes the cell. A D2R agonist ([agonist]/K,
#: `d2_agonist`) and a competitive antagonist ([antagonist]/K, `d2_antagonist`) enter the
#: same occupancy. The coupling scales what the occupied receptor does to the cell
#: (`d2_coupling`: excitability and AMPA), not the occupancy that gates plasticity.
#: Written once, used in two forms: `RECEPTORS` for single cells (the plasticity bench)
#: and `FIELD_RECEPTORS` for a population of the network.
OCC_OXTR = "oxtr_expression * OXT / (OXT + Kd_oxtr)"
D2_DRIVE = "(DA / Kd_d2 + d2_agonist) * (1 + (heteromer_fold - 1) * M1 * occ_oxtr)"
D2_COUPLING = "1 + (heteromer_coupling - 1) * M1 * occ_oxtr"
OCC_D1R = "d1r_expression * DA / (DA + Kd_d1)"
OCC_D2R = "d2r_availability * d2_drive / (1 + d2_drive + d2_antagonist)"
RECEPTOR_CONSTANTS = """
d2_agonist : 1 (shared, constant)
d2_antagonist : 1 (shared, constant)
oxtr_expression : 1 (shared, constant)
d1r_expression : 1 (shared, constant)
d2r_availability : 1 (shared, constant)
Kd_d1 : mmolar (shared, constant)
Kd_d2 : mmolar (shared, constant)
Kd_oxtr : mmolar (shared, constant)
heteromer_fold : 1 (shared, constant)
heteromer_coupling : 1 (shared, constant)
M1 : 1 (shared, constant)
"""

#: Receptors of one cell that sees its own [DA] and [OXT]. A cell type without a receptor
#: has its expression set to 0 (e.g. no D2R on D1 MSNs), so one template serves all.
RECEPTORS = f"""
DA : mmolar
OXT : mmolar
occ_oxtr = {OCC_OXTR} : 1
d2_drive = {D2_DRIVE} : 1
d2_coupling = {D2_COUPLING} : 1
occ_d1r = {OCC_D1R} : 1
occ_d2r = {OCC_D2R} : 1
""" + RECEPTOR_CONSTANTS

#: Receptors of a population of the network. Volume transmission gives every cell of a
#: population the [DA] and [OXT] of its compartment, and its receptors are the same in
#: every cell, so concentrations and occupancies are shared: `RECEPTOR_UPDATE` computes
#: them once per population and time step (before the cells' state update), from the
#: compartment's values linked in as `*_field`, and every cell reads them. DA neurons,
#: GABA neurons and interneurons also read [cocaine] (`DRUG_FIELD`), MSNs the canonical DA
#: trace (`TRACE_FIELD`).
FIELD_RECEPTORS = f"""
DA_field : mmolar (linked)
OXT_field : mmolar (linked)
DA : mmolar (shared)
OXT : mmolar (shared)
occ_oxtr : 1 (shared)
d2_drive = {D2_DRIVE} : 1 (shared)
d2_coupling = {D2_COUPLING} : 1 (shared)
occ_d1r : 1 (shared)
occ_d2r : 1 (shared)
""" + RECEPTOR_CONSTANTS
RECEPTOR_UPDATE = f"""DA = DA_field
OXT = OXT_field
occ_oxtr = {OCC_OXTR}
occ_d1r = {OCC_D1R}
occ_d2r = {OCC_D2R}"""
DRUG_FIELD = "COC_field : mmolar (linked)\nCOC : mmolar (shared)\n"
DRUG_UPDATE = "COC = COC_field"
TRACE_FIELD = "n_da_field : 1 (linked)\nn_da : 1 (shared)\n"
TRACE_UPDATE = "n_da = n_da_field"

#: Conductance-based synapses: AMPA, NMDA with Mg2+ block (Jahr and Stevens 1990), GABA-A.
#: The D1R/D2R factors on NMDA and AMPA are Humphries et al. 2009's (beta1, beta2);
#: cells without those receptors have zero occupancy, so the factors are 1.
SYNAPTIC_CURRENTS = """
I_syn = g_ampa * (E_ampa - v) * (1 - beta2 * occ_d2r * d2_coupling)
        + g_nmda * mg_block * (E_nmda - v) * (1 + beta1 * occ_d1r)
        + g_gaba * (E_gaba - v) * (1 - epsilon_d1 * occ_d1r) : amp
mg_block = 1 / (1 + Mg / (3.57 * mmolar) * exp(-0.062 * v / mV)) : 1
dg_ampa/dt = -g_ampa / tau_ampa : siemens
dg_nmda/dt = -g_nmda / tau_nmda : siemens
dg_gaba/dt = -g_gaba / tau_gaba : siemens
E_ampa : volt (shared, constant)
E_nmda : volt (shared, constant)
E_gaba : volt (shared, constant)
tau_ampa : second (shared, constant)
tau_nmda : second (shared, constant)
tau_gaba : second (shared, constant)
Mg : mmolar (shared, constant)
beta1 : 1 (shared, constant)
beta2 : 1 (shared, constant)
epsilon_d1 : 1 (shared, constant)
"""

#: Gq-coupled OXTR as a depolarising current (M2 on PV cells, M5 on VTA DA neurons).
OXTR_CURRENT = """
I_oxtr = M_oxtr * I_oxtr_max * occ_oxtr : amp
M_oxtr : 1 (shared, constant)
I_oxtr_max : amp (shared, constant)
"""

#: Medium spiny neuron: Izhikevich (2007) quadratic model with the dopamine modulation of
#: Humphries et al. 2009: D1R deepens the down state (K) and shrinks the reset jump (L);
#: D2R lowers the voltage gain k (alpha).
MSN = """
dv/dt = (k_eff * (v - v_r_eff) * (v - v_t) - u + I_syn + I_bias) / C : volt
du/dt = a * (b * (v - v_r_eff) - u) : amp
k_eff = k * (1 - alpha_d2 * occ_d2r * d2_coupling) : siemens / volt
v_r_eff = v_r * (1 + K_d1 * occ_d1r) : volt
I_bias : amp (shared, constant)
C : farad (shared, constant)
k : siemens / volt (shared, constant)
v_r : volt (shared, constant)
v_t : volt (shared, constant)
v_peak : volt (shared, constant)
a : 1 / second (shared, constant)
b : siemens (shared, constant)
c : volt (shared, constant)
d : amp (shared, constant)
K_d1 : 1 (shared, constant)
L_d1 : 1 (shared, constant)
alpha_d2 : 1 (shared, constant)
""" + SYNAPTIC_CURRENTS + FIELD_RECEPTORS + TRACE_FIELD

MSN_RESET = "v = c; u += d * (1 - L_d1 * occ_d1r)"

#: Phasic outcome current: the behaving circuit's outcomes (a reward burst, an omission
#: pause, social OXT release) arrive as a current that decays with `tau_outcome`.
OUTCOME_CURRENT = """
dI_outcome/dt = -I_outcome / tau_outcome : amp
tau_outcome : second (shared, constant)
"""

#: Fast-spiking interneuron: Izhikevich (2007) FS model with the cubic recovery nullcline
#: and D1R modulation of Humphries et al. 2009 (eta raises v_r; epsilon weakens GABA input).
#: Used for NAc PV interneurons and, without DA receptors, for VTA GABA neurons.
FAST_SPIKING = """
dv/dt = (k * (v - v_r_eff) * (v - v_t) - u + I_syn + I_bias + I_oxtr + I_outcome - I_mor)
        / C : volt
du/dt = a * (b * (v - v_b)**3 * int(v > v_b) - u) : amp
I_mor = mor_action * I_mor_max * COC / (COC + K_mor) : amp
mor_action : 1 (shared, constant)
I_mor_max : amp (shared, constant)
K_mor : mmolar (shared, constant)
v_r_eff = v_r * (1 - eta_d1 * occ_d1r) : volt
I_bias : amp
I_bias_mean : amp (shared, constant)
I_bias_sd : amp (shared, constant)
C : farad (shared, constant)
k : siemens / volt (shared, constant)
v_r : volt (shared, constant)
v_t : volt (shared, constant)
v_b : volt (shared, constant)
v_peak : volt (shared, constant)
a : 1 / second (shared, constant)
b : siemens / volt**2 (shared, constant)
c : volt (shared, constant)
d : amp (shared, constant)
eta_d1 : 1 (shared, constant)
""" + SYNAPTIC_CURRENTS + FIELD_RECEPTORS + DRUG_FIELD + OXTR_CURRENT + OUTCOME_CURRENT

FAST_SPIKING_RESET = "v = c; u += d"

#: Adaptive exponential integrate-and-fire (Brette and Gerstner 2005) with a pacemaker
#: current: VTA DA neurons (slow pacemaking, bursts on NMDA drive) and PVN OXT neurons.
#: A CRF-like stress drive (the protocol's `stress` input) excites both; M7: OXTR
#: occupancy dampens it by up to `stress_oxt_gain`.
ADEX = """
dv/dt = (g_L * (E_L - v) + g_L * Delta_T * exp((v - V_T) / Delta_T) - w_adapt
         + I_syn + I_bias + I_oxtr + I_outcome + I_stress) / C : volt
I_stress = stress_gain * stress(t) * (1 - M7 * stress_oxt_gain * occ_oxtr) : amp
stress_gain : 1 (shared, constant)
stress_oxt_gain : 1 (shared, constant)
M7 : 1 (shared, constant)
dw_adapt/dt = (a_w * (v - E_L) - w_adapt) / tau_w : amp
I_bias : amp
I_bias_mean : amp (shared, constant)
I_bias_sd : amp (shared, constant)
C : farad (shared, constant)
g_L : siemens (shared, constant)
E_L : volt (shared, constant)
V_T : volt (shared, constant)
Delta_T : volt (shared, constant)
v_peak : volt (shared, constant)
v_reset : volt (shared, constant)
a_w : siemens (shared, constant)
b_w : amp (shared, constant)
tau_w : second (shared, constant)
""" + SYNAPTIC_CURRENTS + FIELD_RECEPTORS + DRUG_FIELD + OXTR_CURRENT + OUTCOME_CURRENT

ADEX_RESET = "v = v_reset; w_adapt += b_w"

#: Drug-evoked potentiation of excitatory synapses onto VTA DA neurons (Ungless et al.
#: 2001): grows while cocaine is present, needs NMDA receptors, decays over days. Scales
#: the AMPA conductance of the VTA input (AMPA/NMDA ratio up). A slow variable that
#: protocols carry across sessions through `p_vta_initial`.
VTA_POTENTIATION = """
dp_vta/dt = k_vta * nmda_available * COC / (COC + K_cocaine_vta) - p_vta / tau_vta : 1
k_vta : 1 / second (shared, constant)
nmda_available : 1 (shared, constant)
K_cocaine_vta : mmolar (shared, constant)
tau_vta : second (shared, constant)
p_vta_initial : 1 (shared, constant)
"""
POTENTIATED_ON_PRE = ("g_ampa_post += w * g_max * (1 + p_vta_post); "
                      "g_nmda_post += w * g_max * nmda_ratio")

#: Volume-transmission compartments (index 0: NAc, 1: VTA). n_da is the canonical DA
#: trace of Izhikevich 2007 (one increment per DA spike), used by canonical plasticity. [DA]: release per spike and
#: Michaelis-Menten uptake (Dreyer et al. 2010); cocaine blocks DAT competitively, so the
#: apparent Km rises (Km_app = Km (1 + [coc]/Ki)) with Vmax unchanged. Cocaine enters a
#: depot from the protocol's infusion time course and passes to the brain with first-order
#: absorption, then is eliminated. [OXT]: release per spike, first-order clearance.
VOLUME = """
dDA/dt = -Vmax * DA / (Km * (1 + dat_block * COC / Ki_cocaine) + DA) : mmolar
dOXT/dt = (OXT_background - OXT) / tau_oxt : mmolar
dCOC_depot/dt = cocaine_infusion(t) - COC_depot / tau_absorption : mmolar
dCOC/dt = COC_depot / tau_absorption - COC / tau_elimination : mmolar
dn_da/dt = -n_da / tau_n : 1
tau_n : second (shared, constant)
dat_block : 1 (shared, constant)
OXT_background : mmolar (shared, constant)
DA_initial : mmolar (shared, constant)
OXT_initial : mmolar (shared, constant)
Vmax : mmolar / second (shared, constant)
Km : mmolar (shared, constant)
Ki_cocaine : mmolar (shared, constant)
tau_oxt : second (shared, constant)
tau_absorption : second (shared, constant)
tau_elimination : second (shared, constant)
"""

#: DA release from a DA neuron spike into the NAc compartment. M3: OXTR on DA terminals
#: scales release by (1 + m3_gain * occupancy); the sign of m3_gain is a parameter because
#: OXT lowers drug-evoked DA in some settings and raises NAc DA in others (SCIENCE.md M3).
#: Terminal D2 autoreceptors lower release as their signal rises above its value at the
#: reference [DA] without OXT (`autoreceptor_gain`; 0: no autoreceptor feedback), and the
#: heteromer, where its site includes them (`M1_auto`), raises their affinity and coupling
#: as on D2 MSNs (with the receptor constants every DA neuron holds, `*_pre`).
DA_RELEASE = """
q_da : mmolar (shared, constant)
n_per_spike : 1 (shared, constant)
m3_gain : 1 (shared, constant)
M3 : 1 (shared, constant)
Kd_oxtr_terminal : mmolar (shared, constant)
occ_oxtr_terminal = OXT_post / (OXT_post + Kd_oxtr_terminal) : 1
auto_drive = DA_post / Kd_d2_pre * (1 + (heteromer_fold_pre - 1) * M1_auto * occ_oxtr_terminal) : 1
auto_signal = (auto_drive / (1 + auto_drive)
               * (1 + (heteromer_coupling_pre - 1) * M1_auto * occ_oxtr_terminal)) : 1
M1_auto : 1 (shared, constant)
autoreceptor_gain : 1 (shared, constant)
auto_reference : 1 (shared, constant)
"""
DA_RELEASE_ON_PRE = (
    "DA_post += q_da * clip(1 + M3 * m3_gain * occ_oxtr_terminal, 0, inf)"
    " * clip(1 - autoreceptor_gain * (auto_signal - auto_reference), 0, inf)"
    "\nn_da_post += n_per_spike"
)

#: OXT release from a PVN spike into one compartment (one Synapses per compartment).
OXT_RELEASE = "q_oxt : mmolar (shared, constant)"
OXT_RELEASE_ON_PRE = "OXT_post += q_oxt"

#: One compartment's concentrations as shared values of a one-cell group, which
#: populations link to (a link to a shared value is read as one number by every cell);
#: `FIELD_COUPLING`, one synapse from the compartment's row of the volume, copies them in
#: every step.
FIELD = """
DA : mmolar (shared)
OXT : mmolar (shared)
COC : mmolar (shared)
n_da : 1 (shared)
"""
FIELD_COUPLING = """
DA_post = DA_pre : mmolar (summed)
OXT_post = OXT_pre : mmolar (summed)
COC_post = COC_pre : mmolar (summed)
n_da_post = n_da_pre : 1 (summed)
"""

#: Excitatory synapse: AMPA and NMDA conductances scaled by a per-synapse weight w
#: (the plastic variable of the plasticity rules).
EXCITATORY = """
w : 1
w_cv : 1 (shared, constant)
g_max : siemens (shared, constant)
nmda_ratio : 1 (shared, constant)
"""
EXCITATORY_ON_PRE = "g_ampa_post += w * g_max; g_nmda_post += w * g_max * nmda_ratio"
#: The same with a presynaptic release factor `release` computed before it (M8).
RELEASED_ON_PRE = ("g_ampa_post += release * w * g_max;"
                   " g_nmda_post += release * w * g_max * nmda_ratio")

#: Inhibitory GABA-A synapse.
INHIBITORY = """
w : 1
w_cv : 1 (shared, constant)
g_max : siemens (shared, constant)
"""
INHIBITORY_ON_PRE = "g_gaba_post += w * g_max"
