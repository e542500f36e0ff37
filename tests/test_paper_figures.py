"""Figures fit for a paper: PNG, PDF and SVG side by side, journal column widths, print-size
type, panel letters, group means with t-intervals, byte-identical output, `circuit plot`."""

from __future__ import annotations

import math
import subprocess
from contextlib import contextmanager
import sys
from collections import namedtuple
from pathlib import Path
from types import SimpleNamespace

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.text import Text
from scipy import stats

from circuit import cli
from circuit.analysis.behaviour import SESSION_COLUMNS, TRIAL_COLUMNS
from circuit.plotting import (behaviour_figures, experiment_figures, redraw, run_figures, style,
                              validation_figures)
from circuit.plotting.intervals import column_ci, mean_ci
from circuit.results import save
from circuit.results.tables import write_csv

try:
    from tests.synthetic import make_results
except ImportError:  # tests/ itself on sys.path (pytest's default for a non-package)
    from synthetic import make_results

MIN_FONT_PT = 6
COLUMN_WIDTHS_IN = (style.ONE_COLUMN_IN, style.TWO_COLUMNS_IN)
MM_PER_IN = 25.4
PDF_SIGNATURE, PNG_SIGNATURE = b"%PDF-", b"\x89PNG\r\n\x1a\n"
VECTOR_FORMATS = ("pdf", "svg")
GROUPS, SEEDS, TRIALS = ("saline", "oxytocin"), (1, 2, 3, 4), 8
# (protocol, phase, sessions) of the synthetic schedule
SCHEDULE = (("fr1", "acquisition", 3), ("pr", "progressive_ratio", 1),
            ("extinction", "extinction", 2), ("prime", "reinstatement", 1),
            ("choice", "choice", 1))
METRICS = ("breakpoint", "acquisition_presses")
SWEEP_KEY, SWEEP_VALUES = "receptors.heteromer_fold", (1, 4)
RUN_COLUMNS = ("condition", SWEEP_KEY, "seed", "cell", *METRICS, "key", "wall_s")


def make_tables(seed: int = 0) -> dict:
    """Sessions and trials of two groups x four subjects through SCHEDULE (read_csv-like
    rows: numbers, NaN where a column does not apply)."""
    rng = np.random.default_rng(seed)
    sessions, trials = [], []
    for g, group in enumerate(GROUPS):
        for subject in SEEDS:
            session = 0
            for protocol, phase, count in SCHEDULE:
                for k in range(count):
                    session += 1
                    active = int(rng.poisson(6 + 2 * k - 2 * g))
                    sessions.append({
                        "group": group, "seed": subject, "session": session,
                        "protocol": protocol, "phase": phase, "trials": TRIALS,
                        "active": active,
                        "inactive": math.nan if phase == "progressive_ratio" else 1,
                        "breakpoint": float(active) if phase == "progressive_ratio" else math.nan,
                        "social_fraction": (float(rng.uniform(0.2, 0.8)) if phase == "choice"
                                            else math.nan),
                        "expected_drug": 6.0 + 2 * k - 2 * g})
                    for t in range(TRIALS):
                        press = t < active
                        trials.append({"group": group, "seed": subject, "session": session,
                                       "protocol": protocol, "phase": phase, "trial": t,
                                       "option": "drug", "action": "press" if press else "none",
                                       "outcome": "infusion" if press else "none"})
    return {"sessions": sessions, "trials": trials}


def make_runs(seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    return [{"condition": group, SWEEP_KEY: fold, "seed": subject, "cell": f"{group}-{fold}",
             **{metric: float(rng.normal(8 - g * fold, 1)) for metric in METRICS},
             "key": f"{group}{fold}{subject}", "wall_s": 1.0}
            for g, group in enumerate(GROUPS) for fold in SWEEP_VALUES for subject in SEEDS]


def write_experiment(directory: Path) -> Path:
    tables = make_tables()
    write_csv(directory / "runs.csv", make_runs(), RUN_COLUMNS)
    write_csv(directory / "sessions.csv", tables["sessions"], SESSION_COLUMNS)
    write_csv(directory / "trials.csv", tables["trials"], TRIAL_COLUMNS)
    return directory


Test = namedtuple("Test", "condition reference metric expect sign label")


def validation_inputs():
    """A card and catalogue with the attributes make_validation_figures reads."""
    tests = [Test("oxt", "saline", "breakpoint", "lower", -1, "OXT lowers the breakpoint"),
             Test("oxt", "saline", "extinction", "lower", -1, "OXT speeds extinction")]
    findings = [{"finding": SimpleNamespace(id=f"F{k + 1}"), "verdict": verdict,
                 "tests": [{"test": test, "verdict": verdict, "effect": 0.8 - k,
                            "effect_low": 0.2 - k, "effect_high": 1.4 - k}]}
                for k, (test, verdict) in enumerate(zip(tests, ("pass", "fail")))]
    mechanisms = {"M1": {"name": "D2R-OXTR heteromer"}, "M2": {"name": "OXT on VTA DA"}}
    knockouts = [{"finding": f"F{k + 1}", "test": test.label, "mechanism": m, "share": share,
                  "run": True, "effect_resolved": True}
                 for k, test in enumerate(tests) for m, share in zip(mechanisms, (0.7, -0.2))]
    sensitivity = [{"finding": f"F{k + 1}", "test": test, "value": value,
                    "difference": -value / 4, "difference_low": -value / 2,
                    "difference_high": 0.1}
                   for k, test in enumerate(tests) for value in (1, 2, 4)]
    card = SimpleNamespace(findings=findings, knockouts=knockouts, sensitivity=sensitivity)
    catalogue = SimpleNamespace(mechanisms=mechanisms,
                                sensitivity={"key": "receptors.heteromer_fold"})
    return card, catalogue


@contextmanager
def kept_figures(*modules):
    """Within it, the figures `modules` save (PNG only) are also kept: {file name: Figure}."""
    figures = {}
    real = style.save_figure

    def keep(fig, path):
        figures[Path(path).name] = fig
        return real(fig, path)

    with pytest.MonkeyPatch.context() as patch, style.output_formats(("png",)):
        for module in modules:
            patch.setattr(module, "save_figure", keep)
        yield figures


@pytest.fixture(scope="module")
def every_figure(tmp_path_factory):
    """Every kind of figure, drawn once (PNG only): {file name: Figure}."""
    tmp_path = tmp_path_factory.mktemp("every")
    with kept_figures(style, behaviour_figures, experiment_figures,
                      validation_figures) as figures:
        run_figures.make_run_figures(make_results(seed=5, duration=9.0), tmp_path / "run")
        behaviour_figures.make_behaviour_figures(make_tables(), tmp_path / "behaviour")
        two_keys = [{**run, "dose": run["seed"] % 2} for run in make_runs()]  # a heatmap
        experiment_figures.make_experiment_figures(
            two_keys, list(GROUPS), ["breakpoint"],
            {SWEEP_KEY: list(SWEEP_VALUES), "dose": [0, 1]}, tmp_path / "heat")
        experiment_figures.make_experiment_figures(make_runs(), list(GROUPS), list(METRICS),
                                                   {SWEEP_KEY: list(SWEEP_VALUES)},
                                                   tmp_path / "experiment")
        validation_figures.make_validation_figures(*validation_inputs(),
                                                   tmp_path / "validation", default=2.0)
    return figures


def panels(fig) -> list:
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def panel_letters(fig) -> list:
    return [t.get_text() for ax in fig.axes for t in ax.texts
            if len(t.get_text()) == 1 and t.get_text().islower() and t.get_fontweight() == "bold"]


def test_column_widths_are_the_journals():
    assert style.ONE_COLUMN_IN * MM_PER_IN == pytest.approx(89)
    assert style.TWO_COLUMNS_IN * MM_PER_IN == pytest.approx(183)
    assert style.DPI >= 300


def test_every_figure_is_a_column_wide_with_print_size_type(every_figure):
    assert {"raster.png", "table1.png", "choice.png", "metrics.png", "sweep_breakpoint.png",
            "heatmap_breakpoint.png", "scorecard.png", "knockouts.png",
            "heteromer_fold.png"} <= set(every_figure)
    for name, fig in every_figure.items():
        assert any(math.isclose(fig.get_figwidth(), w) for w in COLUMN_WIDTHS_IN), name
        texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        small = {t.get_text(): t.get_fontsize() for t in texts if t.get_fontsize() < MIN_FONT_PT}
        assert not small, (name, small)
    # multi-panel figures two columns wide, single panels one, as chosen per figure
    assert every_figure["table1.png"].get_figwidth() == pytest.approx(style.TWO_COLUMNS_IN)
    assert every_figure["choice.png"].get_figwidth() == pytest.approx(style.ONE_COLUMN_IN)
    assert every_figure["sweep_breakpoint.png"].get_figwidth() == pytest.approx(
        style.ONE_COLUMN_IN)


def test_multi_panel_figures_carry_panel_letters(every_figure):
    multi = {name: fig for name, fig in every_figure.items() if len(panels(fig)) > 1}
    assert {"rates.png", "neuromodulators.png", "occupancy.png", "plasticity.png",
            "table1.png", "cumulative_records.png", "metrics.png",
            "heatmap_breakpoint.png", "heteromer_fold.png"} <= set(multi)
    for name, fig in every_figure.items():
        expected = [chr(ord("a") + k) for k in range(len(panels(fig)))] if name in multi else []
        assert panel_letters(fig) == expected, name


def test_pdf_and_svg_beside_each_png_in_pixels_of_the_column(tmp_path):
    paths = run_figures.make_run_figures(make_results(seed=5, duration=9.0), tmp_path)
    tables = make_tables()
    paths += behaviour_figures.make_behaviour_figures(tables, tmp_path)
    for path in paths:
        assert path.suffix == ".png" and path.read_bytes().startswith(PNG_SIGNATURE)
        assert path.with_suffix(".pdf").read_bytes().startswith(PDF_SIGNATURE)
        assert b"<svg" in path.with_suffix(".svg").read_bytes()[:2000]
        width = mpimg.imread(path).shape[1]
        assert width in {round(w * style.DPI) for w in COLUMN_WIDTHS_IN}, path.name
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers


def test_saving_twice_gives_identical_bytes(tmp_path):
    results, tables = make_results(seed=3, duration=6.0), make_tables()
    for folder in ("first", "second"):
        run_figures.make_run_figures(results, tmp_path / folder)
        behaviour_figures.make_behaviour_figures(tables, tmp_path / folder)
    names = sorted(p.name for p in (tmp_path / "first").iterdir())
    assert {Path(n).suffix for n in names} == {".png", ".pdf", ".svg"}
    for name in names:
        assert (tmp_path / "first" / name).read_bytes() == \
            (tmp_path / "second" / name).read_bytes(), name


def test_formats_can_be_chosen(tmp_path):
    with style.output_formats(("pdf",)):
        paths = behaviour_figures.make_behaviour_figures(make_tables(), tmp_path)
    assert paths and all(p.suffix == ".pdf" for p in paths)
    assert sorted({p.suffix for p in tmp_path.iterdir()}) == [".pdf"]
    with pytest.raises(ValueError, match="png"):
        redraw.parse_formats("png,gif")
    assert redraw.parse_formats("PDF, svg") == ("pdf", "svg")


def test_t_interval_matches_scipy():
    values = [3.0, 5.0, 4.5, 7.0, 6.0]
    mean, low, high = mean_ci(values)
    expected = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values),
                                scale=stats.sem(values))
    assert mean == pytest.approx(np.mean(values))
    assert (low, high) == pytest.approx(expected)
    one = mean_ci([2.0, math.nan])  # n = 1: the mean, no interval
    assert one[0] == 2.0 and math.isnan(one[1]) and math.isnan(one[2])
    assert all(math.isnan(v) for v in mean_ci([]))
    means, lows, highs = column_ci([[1.0, 2.0], [3.0, math.nan]])
    assert means.tolist() == [2.0, 2.0] and math.isnan(lows[1]) and lows[0] < 2.0 < highs[0]


def test_group_means_are_drawn_with_their_interval(every_figure):
    tables = make_tables()
    ax = every_figure["choice.png"].axes[0]
    segments = [seg for c in ax.collections if isinstance(c, LineCollection)
                for seg in c.get_segments()]
    for k, group in enumerate(GROUPS):
        per_subject = {}
        for row in tables["sessions"]:
            if row["group"] == group and row["phase"] == "choice":
                per_subject.setdefault(row["seed"], []).append(row["social_fraction"])
        _, low, high = mean_ci([np.nanmean(v) for v in per_subject.values()])
        x = k + behaviour_figures.MEAN_OFFSET
        assert any(np.allclose(seg, [[x, low], [x, high]]) for seg in segments), group
    # the acquisition panel of table1: a band (the interval) per group around its mean
    bands = [c for c in every_figure["table1.png"].axes[0].collections
             if c.__class__.__name__ == "FillBetweenPolyCollection"
             or c.__class__.__name__ == "PolyCollection"]
    assert len(bands) >= len(GROUPS)


def test_raster_shows_a_legible_sample_of_each_population():
    assert run_figures.shown_neurons(10).tolist() == list(range(10))
    sample = run_figures.shown_neurons(200)
    assert sample.size == run_figures.MAX_NEURONS_SHOWN
    assert sample[0] == 0 and sample[-1] == 199 and np.all(np.diff(sample) > 0)


def test_plot_command_redraws_a_run_directory(tmp_path, capsys):
    run = tmp_path / "run"
    save(make_results(seed=4, duration=6.0), run)
    assert cli.main(["plot", str(run), "--formats", "png,svg"]) == 0
    printed = capsys.readouterr().out.split()
    expected = [str(run / "figures" / f"{Path(name).stem}.{fmt}")
                for name in run_figures.FIGURES for fmt in ("png", "svg")]
    assert printed == expected
    assert all(Path(p).stat().st_size > 0 for p in printed)


def test_plot_command_redraws_an_experiment_directory(tmp_path, capsys):
    directory = write_experiment(tmp_path / "exp")
    assert cli.main(["plot", str(directory), "--formats", "png"]) == 0
    names = {Path(p).name for p in capsys.readouterr().out.split()}
    assert names == {"metrics.png", "sweep_breakpoint.png", "sweep_acquisition_presses.png",
                     "table1.png", "self_administration.png", "cumulative_records.png",
                     "choice.png"}
    assert redraw.runs_design(make_runs()) == (list(GROUPS), list(METRICS),
                                               {SWEEP_KEY: list(SWEEP_VALUES)})


def test_plot_command_refuses_a_directory_without_results(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("nothing to plot")
    assert cli.main(["plot", str(tmp_path)]) == cli.BAD_INPUT == 2
    err = capsys.readouterr().err
    assert "not a results directory" in err and "runs.csv" in err
    assert not (tmp_path / "figures").exists()
    assert cli.main(["plot", str(tmp_path / "missing")]) == 2


def test_redraw_needs_no_brian2():
    code = "import sys, circuit.plotting.redraw; print('brian2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def test_a_validation_directory_without_its_runs_says_how_to_redraw(tmp_path):
    """A validation directory is rescored from its stored runs (tests/test_validation.py
    redraws a whole one); one that lacks them says so instead of simulating."""
    (tmp_path / "scorecard.json").write_text("{}")
    write_experiment(tmp_path / "experiments" / "assay")
    with pytest.raises(FileNotFoundError, match=r"circuit validate --out DIR --resume"):
        redraw.redraw(tmp_path, ("svg",))


def many_group_tables(count: int, phases: tuple) -> dict:
    """make_tables' rows copied into `count` groups, keeping only `phases`."""
    tables = make_tables()
    return {name: [{**row, "group": f"group_{k}_{row['group']}"}
                   for k in range(count // len(GROUPS)) for row in rows
                   if row["phase"] in phases]
            for name, rows in tables.items()}


def test_many_groups_each_get_their_own_colour_and_readable_names(tmp_path):
    """A knock-out experiment has a dozen groups: each its own colour, names at an angle,
    the session panels' group means only (no subject lines or bands to bury them)."""
    tables = many_group_tables(12, ("acquisition", "reinstatement"))
    with kept_figures(behaviour_figures) as figures:
        behaviour_figures.make_behaviour_figures(tables, tmp_path)
    table1 = figures["table1.png"]
    acquisition, reinstatement = panels(table1)  # only the phases the tables have
    colours = {line.get_color() for line in acquisition.get_lines()}
    assert len(acquisition.get_lines()) == 12 and len(colours) == 12
    assert not acquisition.collections  # no bands
    labels = reinstatement.get_xticklabels()
    assert len(labels) == 12 and all(label.get_rotation() == style.CROWDED_LABEL_ANGLE
                                     for label in labels)


def test_table1_has_a_panel_only_for_the_phases_an_experiment_has(tmp_path):
    with kept_figures(behaviour_figures) as figures:
        behaviour_figures.make_behaviour_figures(many_group_tables(2, ("extinction",)),
                                                 tmp_path / "extinction")
        behaviour_figures.make_behaviour_figures(many_group_tables(2, ("choice",)),
                                                 tmp_path / "choice")
    assert [ax.get_title() for ax in panels(figures["table1.png"])] == ["Extinction"]
    assert not (tmp_path / "choice" / "table1.png").exists()  # nothing of Table 1 to show
    assert (tmp_path / "choice" / "choice.png").exists()


def test_table1_s_legend_fits_the_figure_with_four_groups_one_row_each(tmp_path):
    """A knock-out spec's four groups (12 legend entries, long names) got one row of six
    columns wider than the figure; each group is now a row: mean, inactive, expected."""
    tables = many_group_tables(4, ("acquisition", "reinstatement"))
    tables = {name: [{**row, "group": row["group"] + "_oxt_no_M1"} for row in rows]
              for name, rows in tables.items()}
    with kept_figures(behaviour_figures) as figures:
        behaviour_figures.make_behaviour_figures(tables, tmp_path)
    fig = figures["table1.png"]
    (legend,) = fig.legends
    box = legend.get_window_extent(fig.canvas.get_renderer())
    assert 0 <= box.x0 and box.x1 <= fig.bbox.width  # within the figure's width
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[:4] == [f"group_{k}_{g}_oxt_no_M1" for k in range(2) for g in GROUPS]
