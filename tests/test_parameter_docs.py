"""docs/parameters.md is the table that scripts/parameter_table.py makes from the schema
and the default config: a stale table (a changed value, a new key) fails here."""

import importlib.util

from conftest import DEFAULT, ROOT


def test_parameter_table_is_up_to_date():
    spec = importlib.util.spec_from_file_location("parameter_table",
                                                  ROOT / "scripts" / "parameter_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (ROOT / "docs" / "parameters.md").read_text()
    assert module.table(DEFAULT.resolve()) == committed, (
        "docs/parameters.md is stale: run python scripts/parameter_table.py")


def test_every_subject_metric_is_documented():
    """docs/experiments.md's metric table and docs/outputs.md's runs.csv columns name every
    measure `subject_metrics` computes: a new metric without its documentation fails here."""
    from circuit.analysis.behaviour import METRICS

    for page in ("experiments.md", "outputs.md"):
        text = (ROOT / "docs" / page).read_text()
        missing = [name for name in METRICS if f"`{name}`" not in text]
        assert not missing, f"docs/{page} does not document {missing}"
