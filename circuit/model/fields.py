"""Volume transmission: the [DA], [OXT] and [cocaine] compartments and their couplings."""

from __future__ import annotations

from brian2 import NeuronGroup, Synapses, TimedArray, second

from . import equations as eq
from . import pharmacology
from .populations import COMPARTMENT, NAC, VTA

COMPARTMENTS = ("nac", "vta")
#: `fields.form: frozen`: the couplings read the compartments at t = 0 and then not
#: again, because their clock period is longer than any run (at most 1e9 steps of
#: at most 1 ms, see circuit.config.loader).
FROZEN_READ_PERIOD = 1e9 * second
#: OXT release synapses: object name -> (compartment index, config key of the release).
OXT_RELEASES = {"oxt_release_nac": (NAC, "release_nac"),
                "oxt_release_vta": (VTA, "release_vta")}


def build_volume(cocaine_infusion: TimedArray, method: str) -> NeuronGroup:
    """The volume group: one row per compartment (0: NAc, 1: VTA)."""
    return NeuronGroup(len(COMPARTMENTS), eq.VOLUME, method=method,
                       namespace={"cocaine_infusion": cocaine_infusion}, name="volume")


def volume_parameters(config: dict) -> dict:
    """Uptake, clearance and cocaine kinetics of the volume group."""
    da, oxt, cocaine = (config["fields"][key] for key in ("da", "oxt", "cocaine"))
    drugs = pharmacology.effective(config)
    return dict(Vmax=da["Vmax"], Km=da["Km"], Ki_cocaine=cocaine["Ki"],
                dat_block=drugs["dat_block"],
                tau_oxt=oxt["tau_clearance"], OXT_background=drugs["oxt_background"],
                tau_absorption=drugs["tau_absorption"],
                tau_elimination=drugs["tau_elimination"],
                DA_initial=da["initial"], OXT_initial=pharmacology.oxt_initial(config),
                tau_n=config["plasticity"]["tau_n"])


def initialise_volume(volume) -> None:
    """Start the compartments at the configured resting concentrations.

    The values are expressions of run-time constants, never literals: a literal would be
    compiled into the binary and ignore later configs.
    """
    volume.DA = "DA_initial"
    volume.OXT = "OXT_initial"


def build_da_release(vta_da, volume) -> Synapses:
    """Each DA spike raises NAc [DA] (M3 scales release by OXTR occupancy)."""
    release = Synapses(vta_da, volume, eq.DA_RELEASE, on_pre=eq.DA_RELEASE_ON_PRE,
                       name="da_release")
    release.connect(i=list(range(len(vta_da))), j=[NAC] * len(vta_da))
    return release


def da_release_parameters(config: dict, n_da: int) -> dict:
    """Release per spike, scaled by population size so that [DA] does not depend on it."""
    return dict(q_da=config["fields"]["da"]["release"] / n_da,
                n_per_spike=config["plasticity"]["n_per_spike"] / n_da,
                m3_gain=config["oxt_actions"]["da_release_gain"],
                M3=float(config["mechanisms"]["da_release"]),
                Kd_oxtr_terminal=pharmacology.effective(config)["Kd_oxtr"])


def build_oxt_release(pvn_oxt, volume) -> list:
    """PVN OXT spikes raise [OXT] in NAc and in VTA (PVN->NAc and PVN->VTA projections)."""
    synapses = []
    for name, (index, _) in OXT_RELEASES.items():
        release = Synapses(pvn_oxt, volume, eq.OXT_RELEASE, on_pre=eq.OXT_RELEASE_ON_PRE,
                           name=name)
        release.connect(i=list(range(len(pvn_oxt))), j=[index] * len(pvn_oxt))
        synapses.append(release)
    return synapses


def oxt_release_parameters(name: str, config: dict, n_oxt: int) -> dict:
    """Release per spike into one compartment, scaled by population size."""
    _, key = OXT_RELEASES[name]
    tone = pharmacology.effective(config)["oxt_tone"]
    return {"q_oxt": config["fields"]["oxt"][key] * tone / n_oxt}


def build_coupling(volume, population, frozen: bool = False) -> Synapses:
    """Let every neuron of `population` read the [DA] and [OXT] of its compartment
    (every time step, or only at t = 0 when the fields are `frozen`)."""
    group = population.group
    model = eq.MSN_COUPLING if population.model == "msn" else eq.DRUG_COUPLING
    clock = {"dt": FROZEN_READ_PERIOD} if frozen else {}
    coupling = Synapses(volume, group, model, name=f"volume_to_{group.name}", **clock)
    coupling.connect(i=[COMPARTMENT[population.name]] * len(group), j=list(range(len(group))))
    return coupling


def freeze(volume, into_volume: list) -> None:
    """`fields.form: frozen`: the compartments keep their initial concentrations.

    Nothing integrates them, and `into_volume` (the synapses that release into them or
    infuse a drug) never run; the couplings read them once (see `build_coupling`).
    """
    for group in (volume, *into_volume):
        group.active = False
