"""Dopamine-gated three-factor plasticity at glutamatergic synapses onto MSNs.

The rule (docs/plasticity.md has it once, with the sign of every term):

    eligibility   dc/dt = -c / tau_c + A_plus  x_pre  [post spike]
                                     - A_minus x_post [pre spike]
    weight        dw/dt = eta c m(t) - [pre spike] A_oxt occ_oxtr M4 gate
    modulator     m(t)  = s (occ(t) - occ_ref)              (cell type: D1R or D2R)
                  m(t)  = n(t) - b                           (canonical mode)

with STDP traces x_pre, x_post (tau_plus, tau_minus). `s` is +1 on D1 MSNs (D1R above
its reference gates LTP; Shen et al. 2008) and -1 on D2 MSNs (D2R above its reference
gives LTD, a dip below it LTP; Shen et al. 2008, Iino et al. 2020).

Fast form (default): between synaptic events c decays exactly, c(t) = C e^{-(t-T)/tau_c},
so the weight change over any interval is C times the increase of a per-neuron
accumulator Q, dQ/dt = m(t) e^{-(t-T)/tau_c}. Synapses update w lazily at their own pre
and post spikes; every `renewal` period, all synapses flush and rescale (T moves on) so
that the exponentials stay O(1). Per-synapse work is event-driven; only Q (one value per
neuron) is integrated every step. The clock-driven form integrates c and w per synapse
every step, for testing the fast form against.
"""

#: Per-neuron modulator and its accumulator (added to MSN equations).
MODULATOR = """
m = plasticity_on * (canonical * (n_da - b_da)
                     + (1 - canonical) * modulation_sign * (occ_gate - occ_reference)) : 1
occ_gate = d1_gated * occ_d1r + (1 - d1_gated) * occ_d2r : 1
dQ/dt = m * exp(-(t - T_renewal) / tau_c) / second : 1
dn_da/dt = -n_da / tau_n : 1
T_renewal : second (shared)
plasticity_on : 1 (shared, constant)
canonical : 1 (shared, constant)
b_da : 1 (shared, constant)
tau_n : second (shared, constant)
tau_c : second (shared, constant)
modulation_sign : 1 (shared, constant)
d1_gated : 1 (shared, constant)
occ_reference : 1 (shared, constant)
"""
