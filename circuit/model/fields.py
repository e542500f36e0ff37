"""Volume transmission: the [DA], [OXT] and [cocaine] compartments and the fields that
populations read them through."""

from __future__ import annotations

from brian2 import NeuronGroup, Synapses, TimedArray, linked_var

from . import equations as eq
from . import pharmacology
from .populations import NAC, VTA, heteromer_at

COMPARTMENTS = ("nac", "vta")
#: Volume variables a compartment's field holds.
FIELD_VARIABLES = ("DA", "OXT", "COC", "n_da")
#: Within the "groups" slot of a time step: the fields copy the compartments (as the
#: volume's previous step left them; Brian2 runs a summed coupling at its target's
#: order - 1), then each population computes its receptor occupancies, then the cells
#: and the volume integrate (order 0).
FIELD_ORDER, RECEPTOR_ORDER = -3, -2
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
    """Release per spike, scaled by population size so that [DA] does not depend on it;
    M3, and the terminal autoreceptors with the heteromer where its site includes them."""
    receptors = config["receptors"]
    reference = config["plasticity"]["da_reference"] / receptors["Kd_d2"]
    return dict(q_da=config["fields"]["da"]["release"] / n_da,
                n_per_spike=config["plasticity"]["n_per_spike"] / n_da,
                m3_gain=config["oxt_actions"]["da_release_gain"],
                M3=float(config["mechanisms"]["da_release"]),
                Kd_oxtr_terminal=pharmacology.effective(config)["Kd_oxtr"],
                M1_auto=heteromer_at(config, "autoreceptor"),
                autoreceptor_gain=receptors["autoreceptor_gain"],
                auto_reference=float(reference / (1 + reference)))


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


def build_fields(volume) -> dict:
    """{compartment index: (a one-cell group holding its [DA], [OXT], [cocaine] and DA
    trace as shared values, the synapse that copies them from the volume every step)}.

    Frozen fields (`freeze`) are copied every step too: the volume no longer changes, and
    a clock much longer than the run would be wrong in runtime mode (Brian2 rounds such a
    clock's end of run to step 0, and a network whose first clock it picks does not run).
    """
    fields = {}
    for index, name in enumerate(COMPARTMENTS):
        field = NeuronGroup(1, eq.FIELD, name=f"field_{name}", order=FIELD_ORDER)
        coupling = Synapses(volume, field, eq.FIELD_COUPLING, name=f"volume_to_field_{name}")
        coupling.connect(i=[index], j=[0])
        fields[index] = (field, coupling)
    return fields


def link_population(population, field) -> None:
    """Let every cell of `population` read the concentrations of `field` (its compartment)
    through the population's shared receptor occupancies, updated once per step."""
    group = population.group
    code = [eq.RECEPTOR_UPDATE]
    for variable, update in (("COC", eq.DRUG_UPDATE), ("n_da", eq.TRACE_UPDATE)):
        if f"{variable}_field" in group.equations.names:
            code.append(update)
    for variable in FIELD_VARIABLES:
        if f"{variable}_field" in group.equations.names:
            setattr(group, f"{variable}_field", linked_var(field, variable))
    group.run_regularly("\n".join(code), when="groups", order=RECEPTOR_ORDER,
                        name=f"{group.name}_receptors")


def freeze(volume, into_volume: list) -> None:
    """`fields.form: frozen`: the compartments keep their initial concentrations.

    Nothing integrates them, and `into_volume` (the synapses that release into them or
    infuse a drug) never run; the fields copy the unchanging values (see `build_fields`).
    """
    for group in (volume, *into_volume):
        group.active = False
