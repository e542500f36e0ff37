"""Brian2's CUBA benchmark (Vogels and Abbott 2005, as in Brian2's examples/CUBA.py):
4000 leaky integrate-and-fire neurons, 2% random connectivity, dt 0.1 ms, C++ standalone,
one thread. Prints one JSON line: simulated seconds, compile and run wall times.

    python benchmarks/cuba.py [--duration 10]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

from brian2 import (NeuronGroup, SpikeMonitor, Synapses, defaultclock, device, mV, ms,
                    prefs, run, second, set_device)


def simulate(duration: float, directory: str) -> dict:
    set_device("cpp_standalone", build_on_run=False, directory=directory)
    prefs.devices.cpp_standalone.extra_make_args_unix = ["-j2"]
    defaultclock.dt = 0.1 * ms
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    v_t, v_r, e_l = -50 * mV, -60 * mV, -49 * mV
    equations = """dv/dt = (ge + gi - (v - e_l)) / taum : volt (unless refractory)
                   dge/dt = -ge / taue : volt
                   dgi/dt = -gi / taui : volt"""
    cells = NeuronGroup(4000, equations, threshold="v > v_t", reset="v = v_r",
                        refractory=5 * ms, method="exact")
    cells.v = "v_r + rand() * (v_t - v_r)"
    excitatory = Synapses(cells, cells, on_pre="ge += we", namespace={"we": 1.62 * mV})
    inhibitory = Synapses(cells, cells, on_pre="gi += wi", namespace={"wi": -9 * mV})
    excitatory.connect("i < 3200", p=0.02)
    inhibitory.connect("i >= 3200", p=0.02)
    spikes = SpikeMonitor(cells)
    run(duration * second)
    started = time.perf_counter()
    device.build(directory=directory, compile=True, run=False)
    compiled = time.perf_counter() - started
    started = time.perf_counter()
    device.run(directory=directory)
    return {"simulated_s": duration, "compile_s": compiled,
            "run_s": time.perf_counter() - started, "spikes": int(spikes.num_spikes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="simulated seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cuba_") as directory:
        print(json.dumps(simulate(args.duration, directory)))


if __name__ == "__main__":
    main()
