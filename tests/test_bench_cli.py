"""`circuit plasticity`: a bench spec in, tidy CSVs and a figure out; bad specs rejected."""

import csv

import pytest

from circuit import ConfigError
from circuit.cli import main
from circuit.bench.spec import parse_bench
from conftest import ROOT

SPEC = ROOT / "configs" / "bench" / "pairing_with_da.yaml"


def test_bench_command_writes_weights_traces_summary_and_figure(tmp_path):
    out = tmp_path / "bench"
    assert main(["--quiet", "plasticity", str(SPEC), "--out", str(out),
                 "--config", str(ROOT / "configs" / "challenge.yaml")]) == 0
    for name in ("weights.csv", "traces.csv", "summary.csv", "spec.yaml", "config.yaml",
                 "provenance.json", "figures/bench.png"):
        assert (out / name).is_file(), name
    with open(out / "summary.csv") as handle:
        changes = {row["name"]: float(row["change"]) for row in csv.DictReader(handle)}
    assert changes["causal + DA"] > 0 > changes["acausal + DA"]
    assert changes["causal, tonic DA"] == pytest.approx(0.0, abs=1e-9)
    assert changes["input only + OXT"] < 0
    with open(out / "traces.csv") as handle:
        header = next(csv.reader(handle))
    assert header[:5] == ["time_s", "synapse", "name", "eligibility", "modulator"]


@pytest.mark.parametrize("spec, key", [
    ({"cell": "d3", "synapses": [{}]}, "cell"),
    ({"cell": "d1", "synapses": []}, "synapses"),
    ({"cell": "d1", "duration": "2 s", "synapses": [{"pre": ["3 s"]}]}, "synapses[0].pre"),
    ({"cell": "d1", "synapses": [{"da": {"pulses": [{"start": "1 s", "duration": "1 mV",
                                                      "level": "1 nM"}]}}]},
     "synapses[0].da.pulses[0].duration"),
    ({"cell": "d1", "synapses": [{"prre": []}]}, "synapses[0]"),
])
def test_bad_specs_name_the_key(spec, key):
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        parse_bench(spec)
