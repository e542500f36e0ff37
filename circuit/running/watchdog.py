"""Stop a run at its first numerical fault: a non-finite state or runaway firing.

Every ``simulation.watchdog.period`` the watchdog checks, in the compiled code itself,
each population's membrane potential, the volume's concentrations and every plastic
weight for NaN or Inf, and each population's mean rate over the period against
``simulation.watchdog.max_rate``. The first fault appends one line (check, time, value)
to the run's results directory and stops the simulation (standalone:
``Network::_globally_stopped``; runtime: ``Network.stop``). The monitors then hold what
was simulated up to the fault, and `fault_from` turns the line into a `NumericalFault`
naming the population, the variable, the time and the parameters most likely to blame.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from brian2 import NeuronGroup, Synapses, check_units, implementation, second

from ..model.connectivity import INHIBITORY, projections
from ..model.network import AFFERENTS
from ..model.populations import CELL_MODELS

#: The file in a run's results directory where the compiled code reports a fault.
FAULT_FILE = "fault.txt"
#: Scheduling slot of the checks: after every update of the time step.
WHEN = "end"
#: Order of the checks within the slot (after the plasticity renewal and the weight
#: monitors): upstream first, so that of the faults one step shows, the first reported
#: (the one the run stops at) is the likeliest cause: concentrations, then membrane
#: potentials, then weights, then rates.
ORDER = {"volume": 10, "v": 11, "w": 12, "rate": 13}


class NumericalFault(RuntimeError):
    """A run stopped at a non-finite state or a population above the rate ceiling.

    `partial` is the run's `Results` up to the fault, where the runner kept them.
    """

    def __init__(self, population: str, variable: str, time: float, phase: str, value: float,
                 limit: str, suspects: list):
        super().__init__(population, variable, time, value)
        self.population, self.variable, self.time, self.value = population, variable, time, value
        self.phase, self.limit, self.suspects = phase, limit, suspects
        self.partial = None  # Results up to the fault
        self.context = ""  # where it happened, e.g. "subject drug_seed1, session 3"
        self.saved_in = None  # where what was simulated up to the fault was written

    def __str__(self) -> str:
        where = f"{self.context}: " if self.context else ""
        text = (f"numerical fault, {where}{self.population}.{self.variable} = {self.value:g} "
                f"({self.limit}) at t = {self.time:.3f} s ({self.phase}); the run was stopped "
                "there. "
                f"Likely parameters: {', '.join(self.suspects)}")
        if self.saved_in is not None:
            text += f". What was simulated up to the fault is in {self.saved_in}"
        return text

    def __reduce__(self):
        """Picklable (a Dask worker sends it back), without the simulated data."""
        arguments = (self.population, self.variable, self.time, self.phase, self.value,
                     self.limit, self.suspects)
        return type(self), arguments, {"context": self.context, "saved_in": self.saved_in}

    def record(self) -> dict:
        """The fault as plain data (fault.json)."""
        return {"population": self.population, "variable": self.variable,
                "time_s": self.time, "phase": self.phase, "value": self.value, "limit": self.limit,
                "suspects": self.suspects, "context": self.context, "message": str(self)}


@dataclass(frozen=True)
class Check:
    """One watched quantity: its population (or object), variable and what it may not be."""

    population: str
    variable: str
    limit: str  # "not finite" or "above simulation.watchdog.max_rate"
    suspects: tuple


#: The compiled check. Finiteness is read from the value's exponent bits (all ones: Inf
#: or NaN), not with std::isfinite, which -ffinite-math-only (circuit.builds.compiling)
#: lets the compiler replace by "true".
@implementation("cpp", """
double circuit_watch(double value, double limit, double code, double t) {
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    const std::uint64_t exponent = 0x7ff0000000000000ULL;
    if ((bits & exponent) != exponent && value <= limit) return 0.0;
    if (!Network::_globally_stopped) {
        std::ofstream out(brian::results_dir + "fault.txt", std::ios::app);
        out.precision(17);
        out << (int) code << " " << t << " " << value << std::endl;
        Network::_globally_stopped = true;
    }
    return 1.0;
}
""", headers=["<cstdint>", "<cstring>", "<fstream>"])
@check_units(value=1, limit=1, code=1, t=second, result=1)
def circuit_watch(value, limit, code, t):
    """Runtime mode: record the first fault and stop the running network (see module)."""
    value = np.broadcast_to(np.asarray(value, dtype=float), np.shape(value) or (1,))
    bad = ~np.isfinite(value) | (value > limit)
    if bad.any() and _runtime.network is not None and _runtime.fault is None:
        first = value[np.argmax(bad)]
        _runtime.fault = (int(code), float(t), float(first))
        _runtime.network.stop()
    return np.zeros(value.shape)


class _Runtime:
    """Where runtime mode's checks report (standalone writes FAULT_FILE instead)."""

    network = None
    fault = None


_runtime = _Runtime()


def install(circuit, config: dict) -> tuple[list, list]:
    """Add the checks to `circuit`; return (new Brian2 objects, checks by code)."""
    period = config["simulation"]["watchdog"]["period"]
    checks: list[Check] = []

    def code(check: Check) -> int:
        checks.append(check)
        return len(checks) - 1

    for name, population in circuit.populations.items():
        population.group.run_regularly(
            f"_watch = circuit_watch(v / mV, inf, {code(_state(name, 'v'))}, t)",
            dt=period, when=WHEN, order=ORDER["v"], name=f"watch_{name}_v")
        _know_watch(population.group)
    volume_code = "\n".join(
        f"_watch_{variable} = circuit_watch({variable} / nmolar, inf, "
        f"{code(Check('volume', variable, 'not finite', _FIELD_SUSPECTS[variable]))}, t)"
        for variable in _FIELD_SUSPECTS)
    circuit.volume.run_regularly(volume_code, dt=period, when=WHEN, order=ORDER["volume"],
                                 name="watch_volume")
    _know_watch(circuit.volume)
    for name, (synapses, key) in circuit.plastic_projections().items():
        suspects = (f"connections.{key}.g_max", "plasticity.eta", "plasticity.w_max")
        synapses.run_regularly(
            f"_watch = circuit_watch(w, inf, {code(Check(name, 'w', 'not finite', suspects))}, t)",
            dt=period, when=WHEN, order=ORDER["w"], name=f"watch_{name}_w")
        _know_watch(synapses)
    counter, counts = _rate_counters(circuit, period, code)
    return [counter, *counts], checks


def _know_watch(group) -> None:
    """Let `group`'s code call circuit_watch (groups without a namespace get their own)."""
    if group.namespace is None:
        group.namespace = {}
    group.namespace["circuit_watch"] = circuit_watch


def _rate_counters(circuit, period, code) -> tuple:
    """A one-neuron group counting each population's spikes over a period."""
    names = list(circuit.populations)
    model = "\n".join(f"count_{name} : 1" for name in names) + "\nmax_rate : Hz (shared, constant)"
    counter = NeuronGroup(1, model, name="watchdog", namespace={"circuit_watch": circuit_watch})
    statements = []
    for name in names:
        size = len(circuit.populations[name].group)
        check = Check(name, "rate", "above simulation.watchdog.max_rate", _rate_suspects(name))
        statements += [f"_watch_{name} = circuit_watch(count_{name} / ({size} * period) / Hz, "
                       f"max_rate / Hz, {code(check)}, t)",
                       f"count_{name} = 0"]
    counter.namespace["period"] = period
    counter.run_regularly("\n".join(statements), dt=period, when=WHEN, order=ORDER["rate"],
                          name="watch_rates")
    counts = [Synapses(circuit.populations[name].group, counter,
                       on_pre=f"count_{name}_post += 1", name=f"watch_spikes_{name}")
              for name in names]
    return counter, counts


def connect(objects: list) -> None:
    """Connect every neuron of each population to the counter (no random numbers drawn)."""
    for synapses in objects:
        if isinstance(synapses, Synapses):
            synapses.connect()


def watch_runtime(network) -> None:
    """Runtime mode: the network that a fault stops."""
    _runtime.network, _runtime.fault = network, None


def parameters(config: dict) -> dict:
    """Run-time constants of the watchdog, for the parameter table."""
    return {"watchdog": {"max_rate": config["simulation"]["watchdog"]["max_rate"]}}


def fault_from(results_dir: Path | None, checks: list, schedule) -> NumericalFault | None:
    """The run's first fault (its time in protocol time, warm-up subtracted), or None."""
    if results_dir is not None:
        path = Path(results_dir) / FAULT_FILE
        if not path.is_file():
            return None
        code, t, value = path.read_text().split("\n")[0].split()
        found = (int(code), float(t), float(value))
    else:
        found, _runtime.fault = _runtime.fault, None
        if found is None:
            return None
    code, t, value = found
    check, time = checks[code], t - schedule.warmup
    phase = next((p.name for p in schedule.phases if p.start <= time < p.stop),
                 "warm-up" if time < 0 else schedule.phases[-1].name)
    return NumericalFault(check.population, check.variable, time, phase, value, check.limit,
                          list(check.suspects))


def write_fault(fault: NumericalFault, directory: Path) -> None:
    """Write `fault` as ``fault.json`` into `directory` (atomically)."""
    from ..results.store import atomic_write_text

    atomic_write_text(Path(directory) / "fault.json", json.dumps(fault.record(), indent=1))


def _inputs_to(population: str, excitatory_only: bool = False) -> list:
    """Config keys of the conductances of the connections onto `population`."""
    return [f"connections.{key}.g_max" for _, key, _, target, kind in projections()
            if target == population and not (excitatory_only and kind == INHIBITORY)]


def _state(population: str, variable: str) -> Check:
    _, section = CELL_MODELS[population]
    suspects = ("simulation.dt", f"neurons.{section}", *dict.fromkeys(_inputs_to(population)))
    return Check(population, variable, "not finite", suspects)


def _rate_suspects(population: str) -> tuple:
    _, section = CELL_MODELS[population]
    pools = [f"afferents.{source}.rate" for _, _, source, target, _ in projections()
             if target == population and source in AFFERENTS]
    return (*_inputs_to(population, excitatory_only=True), *pools, f"neurons.{section}")


#: Volume variables and the parameters that set them, upstream first: [cocaine] blocks DA
#: uptake and [OXT] scales DA release (M3), while [DA] acts on neither, so when one
#: period shows several non-finite concentrations the first reported is the likeliest
#: cause (as ORDER does across the checks).
_FIELD_SUSPECTS = {
    "COC": ("fields.cocaine.tau_absorption", "fields.cocaine.tau_elimination",
            "fields.cocaine.brain_per_dose", "simulation.dt"),
    "OXT": ("fields.oxt.tau_clearance", "fields.oxt.release_nac", "fields.oxt.release_vta",
            "fields.oxt.brain_per_dose", "simulation.dt"),
    "DA": ("fields.da.Vmax", "fields.da.Km", "fields.da.release", "simulation.dt"),
}
