"""A small NumPy reference of the canonical dopamine-modulated STDP rule.

Izhikevich 2007 / Potjans et al. 2010, the form NEST ships as stdp_dopamine_synapse:
between events c, n and the STDP traces decay exponentially and the weight integrates
dw/dt = eta c (n - b) exactly; at a pre spike c -= A_minus x_post, at a post spike
c += A_plus x_pre, at a DA spike n += n_inc. Written independently of the package, event
by event, so that the Brian2 implementation can be checked against it.
"""

from __future__ import annotations

import numpy as np


def simulate(pre, post, dopamine, *, tau_plus, tau_minus, tau_c, tau_n, A_plus, A_minus,
             eta, b, n_inc, w0=1.0, w_max=np.inf, until=None):
    """Weight after the spike trains (times in s); returns (event times, weights)."""
    events = sorted([(t, 0) for t in pre] + [(t, 1) for t in post]
                    + [(t, 2) for t in dopamine])
    if until is not None:
        events.append((until, 3))
    x_pre = x_post = c = n = 0.0
    w, last = w0, 0.0
    tau_cn = 1.0 / (1.0 / tau_c + 1.0 / tau_n)
    times, weights = [], []
    for t, kind in events:
        gap = t - last
        w += eta * (c * n * tau_cn * (1 - np.exp(-gap / tau_cn))
                    - b * c * tau_c * (1 - np.exp(-gap / tau_c)))
        w = min(max(w, 0.0), w_max)
        c *= np.exp(-gap / tau_c)
        n *= np.exp(-gap / tau_n)
        x_pre *= np.exp(-gap / tau_plus)
        x_post *= np.exp(-gap / tau_minus)
        last = t
        if kind == 0:
            c -= A_minus * x_post
            x_pre += 1.0
        elif kind == 1:
            c += A_plus * x_pre
            x_post += 1.0
        elif kind == 2:
            n += n_inc
        times.append(t)
        weights.append(w)
    return np.array(times), np.array(weights)
