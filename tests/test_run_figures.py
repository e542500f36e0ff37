"""The run figures are written, complete, valid PNGs of the expected size (two journal
columns wide, at the style's DPI), with a PDF and an SVG beside each."""

from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np
import pytest

from circuit.plotting import make_run_figures
from circuit.plotting import run_figures, style
from circuit.results import Phase

try:
    from tests.synthetic import make_results
except ImportError:  # tests/ itself on sys.path (pytest's default for a non-package)
    from synthetic import make_results

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RGBA = 4
N_POPULATIONS = 6
N_MODULATOR_PANELS = 3  # DA, cocaine, OXT (NAc + VTA together)
N_RECEPTORS = 3  # D1R, D2R, OXTR
EXPECTED_HEIGHT_IN = {
    "raster.png": run_figures.RASTER_HEIGHT_IN,
    "rates.png": run_figures.RATE_PANEL_HEIGHT_IN * N_POPULATIONS + run_figures.RATE_EXTRA_IN,
    "neuromodulators.png": (run_figures.MODULATOR_PANEL_HEIGHT_IN * N_MODULATOR_PANELS
                            + run_figures.STACK_EXTRA_IN),
    "occupancy.png": (run_figures.OCCUPANCY_PANEL_HEIGHT_IN * N_RECEPTORS
                      + run_figures.STACK_EXTRA_IN),
    "plasticity.png": run_figures.PLASTICITY_PANEL_HEIGHT_IN * 2 + run_figures.STACK_EXTRA_IN,
}


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    directory = tmp_path_factory.mktemp("figures") / "nested"
    return make_run_figures(make_results(seed=5, duration=12.0), directory)


def test_all_figures_written(figures):
    assert [p.name for p in figures] == list(EXPECTED_HEIGHT_IN)
    leftovers = [p.name for p in figures[0].parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


@pytest.mark.parametrize("name", list(EXPECTED_HEIGHT_IN))
def test_figure_is_a_readable_png_of_expected_size(figures, name):
    path = next(p for p in figures if p.name == name)
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    image = mpimg.imread(path)
    assert image.shape == (*style.expected_pixels(EXPECTED_HEIGHT_IN[name]), RGBA)
    # Not blank: a real figure has many distinct colours and plenty of non-white pixels.
    rgb = np.round(image[..., :3] * 255).astype(np.uint32)
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    assert np.unique(packed).size > 50
    assert np.mean(image[..., :3] < 0.9) > 0.01


def test_figures_cope_with_missing_traces_and_other_phases(tmp_path):
    results = make_results(seed=6, duration=9.0)
    results.traces = {"da_nac_nM": results.traces["da_nac_nM"]}
    results.weights = {}
    results.phases = [Phase("rest", 0.0, 4.0), Phase("stim", 4.0, 9.0)]
    paths = make_run_figures(results, tmp_path)
    assert all(p.stat().st_size > 0 for p in paths)
    height, width = style.expected_pixels(run_figures.MODULATOR_PANEL_HEIGHT_IN
                                          + run_figures.STACK_EXTRA_IN)
    assert mpimg.imread(tmp_path / "neuromodulators.png").shape == (height, width, RGBA)
