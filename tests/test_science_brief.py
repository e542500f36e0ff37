"""SCIENCE.md is the project's scientific brief, copied into the repository so that the
references to it resolve: a copy that has drifted from the brief beside the checkout
(../shared/SCIENCE.md, where there is one) fails here."""

import re

import pytest
import yaml

from conftest import ROOT

BRIEF = ROOT.parent / "shared" / "SCIENCE.md"
COPY = ROOT / "SCIENCE.md"


def brief_body(text: str) -> str:
    """The copy without its leading comment (the note on where it comes from)."""
    if text.startswith("<!--"):
        text = text.split("-->", 1)[1].lstrip("\n")
    return text


def test_the_scorecard_scores_the_findings_the_brief_numbers():
    """validation/findings.yaml scores each finding of the brief's section 5, by number."""
    body = brief_body(COPY.read_text())
    section = body.split("## 5.", 1)[1].split("\n## ", 1)[0]
    numbered = {int(n) for n in re.findall(r"^(\d+)\. ", section, flags=re.MULTILINE)}
    catalogue = yaml.safe_load((ROOT / "validation" / "findings.yaml").read_text())
    scored = {finding["id"] for finding in catalogue["findings"]}
    assert numbered and scored == numbered


@pytest.mark.skipif(not BRIEF.exists(), reason="no brief beside the checkout")
def test_the_copy_is_the_brief():
    assert brief_body(COPY.read_text()) == BRIEF.read_text(), (
        "SCIENCE.md differs from ../shared/SCIENCE.md: copy the brief in again "
        "(keeping the leading comment)")
