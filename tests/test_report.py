"""The verification report: configuration handling, PDF sections, PDF/JSON agreement, determinism."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypdf
import pytest

from ltadmm_verify.cli import main
from ltadmm_verify.errors import ConfigurationError
from ltadmm_verify.report import claims as cl
from ltadmm_verify.report.config import CLAIMS, load_config
from ltadmm_verify.report.figures import fmt
from ltadmm_verify.report.sections import HEADINGS
from ltadmm_verify.verify.result import CheckResult


def _run_quick(out: Path) -> tuple[dict, list[str]]:
    assert main(["report", "--quick", "--quiet", "--out", str(out)]) == 0
    document = json.loads(out.with_suffix(".json").read_text())
    pages = [page.extract_text() for page in pypdf.PdfReader(out).pages]
    return document, pages


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list[str]]:
    out = tmp_path_factory.mktemp("report") / "verification.pdf"
    document, pages = _run_quick(out)
    return out, document, pages


# ---------------------------------------------------------------------------- the PDF
def test_sections_present_in_order(quick_report: tuple[Path, dict, list[str]]) -> None:
    _, document, pages = quick_report
    first_page_of = {}
    for key, heading in HEADINGS.items():
        if key == "claims":
            continue
        hits = [i for i, text in enumerate(pages) if heading in text]
        assert hits, f"section heading {heading!r} not found in the PDF"
        first_page_of[key] = hits[0]
    claim_pages = []
    for claim in (c["claim"] for c in document["claims"]):
        hits = [i for i, text in enumerate(pages) if re.search(rf"\b4\.\d+ Claim {claim}\b", text)]
        assert hits, f"no page for claim {claim}"
        claim_pages.append(hits[0])
    assert first_page_of["summary"] == 0
    assert first_page_of["summary"] < first_page_of["setup"] < first_page_of["theory"]
    assert first_page_of["theory"] < min(claim_pages)
    assert claim_pages == sorted(claim_pages)
    assert max(claim_pages) < first_page_of["environment"]


def test_summary_table_matches_json(quick_report: tuple[Path, dict, list[str]]) -> None:
    _, document, pages = quick_report
    summary = document["summary"]
    assert [row["claim"] for row in summary] == [c["claim"] for c in document["claims"]]
    assert [row["claim"] for row in summary] == [c for c in CLAIMS if c in document["configuration"]
                                                 ["report"]["claims"]]
    # the page's text with line breaks inside wrapped cells removed
    text = " ".join(pages[0].split())
    position = 0
    for row in summary:
        cells = row["display"]
        # the displayed strings are the JSON numbers formatted
        assert cells[0] == row["claim"]
        assert cells[1] == fmt(row["measured"])
        assert cells[2].endswith(fmt(row["bound"]))
        assert cells[3] == fmt(row["tolerance"])
        assert cells[4] == row["verdict"] in ("PASS", "FAIL", "INCONCLUSIVE", "NOT APPLICABLE")
        # ... and appear in this order, row after row, in the PDF's summary table
        for cell in cells:
            flat = " ".join(cell.split())
            found = text.find(flat, position)
            assert found >= 0, f"{row['claim']}: cell {flat!r} not found in the summary page"
            position = found + len(flat)


def test_c4_verdict_from_fixed_rounds_and_fixed_computation_shown_without_one(
        quick_report: tuple[Path, dict, list[str]]) -> None:
    """SPEC 4, C4: the claim is judged at fixed K; the fixed-computation sweep (K tau fixed) is a
    table and a curve with no verdict."""
    _, document, _ = quick_report
    (c4,) = [c for c in document["claims"] if c["claim"] == "C4"]
    assert c4["checks"] and all(check["evidence"]["fixed"] == "rounds" for check in c4["checks"])
    (table,) = c4["tables"]
    assert "fixed computation" in table["title"] and "no verdict" in table["title"]
    assert "verdict" not in [h.lower() for h in table["header"]]
    labels = [s["label"] for plot in c4["plots"] for s in plot["series"]]
    assert any("fixed computation" in label and "(no verdict)" in label for label in labels)


def test_pdf_metadata_dates_fixed(quick_report: tuple[Path, dict, list[str]]) -> None:
    out, _, _ = quick_report
    info = pypdf.PdfReader(out).metadata
    assert info is not None
    assert info["/CreationDate"] == info["/ModDate"] == "D:20260101000000Z"


def test_json_holds_configuration_and_setup_numbers(quick_report: tuple[Path, dict, list[str]]) -> None:
    _, document, pages = quick_report
    assert document["configuration"] == load_config(quick=True)
    setup_text = " ".join(t for t in pages if HEADINGS["setup"] in t)
    for name, graph in document["setup"]["graphs"].items():
        assert f"{name}: |E| = {graph['n_edges']}" in setup_text
        assert fmt(graph["lambda_l"]) in setup_text and fmt(graph["lambda_u"]) in setup_text
    for problem in document["setup"]["problems"].values():
        for row in problem["smoothness"]:
            assert fmt(row["value"]) in setup_text


def test_theory_comparison_page(quick_report: tuple[Path, dict, list[str]]) -> None:
    """The comparison of methods (theory side of C6): every algorithm, graph and tau of the quick
    configuration, critical steps in the JSON, certified rates in the PDF's table as in the JSON."""
    _, document, pages = quick_report
    config = load_config(quick=True)
    part = document["theory"]["comparison"]
    assert part["status"] == "ok"
    keys = {(c["algorithm"], c["graph"], c["tau"]) for c in part["cells"]}
    assert keys == {(a, g, t) for a in ("lt-admm", "led", "k-gt", "local-dsgd")
                    for g in config["setup"]["graphs"] for t in config["theory"]["tau"]}
    assert all(c["critical_step"] is not None and c["critical_step"] > 0 for c in part["cells"])
    text = " ".join(t for t in pages if "comparison of methods" in t)
    certified = [c for c in part["cells"] if c["tau"] in config["comparison"]["certify_tau"]]
    assert certified and all(c["status"] == "certified" for c in certified)
    for c in certified:
        assert fmt(c["certified_rate"]) in text and fmt(c["critical_step"]) in text


def test_json_deterministic(quick_report: tuple[Path, dict, list[str]], tmp_path: Path) -> None:
    """A second run gives the same JSON (C6 left out of it: tests/test_reproduce.py shows that the
    report's C6 equals an independent ``reproduce --quick`` run)."""
    _, first, _ = quick_report
    others = [c for c in CLAIMS if c != "C6"]
    (tmp_path / "no_c6.toml").write_text(f"[report]\nclaims = {json.dumps(others)}\n")
    out = tmp_path / "again.pdf"
    assert main(["report", "--quick", "--quiet", "--config", str(tmp_path / "no_c6.toml"),
                 "--out", str(out)]) == 0
    second = json.loads(out.with_suffix(".json").read_text())
    for key in ("setup", "theory", "environment"):
        assert json.dumps(first[key], sort_keys=True) == json.dumps(second[key], sort_keys=True)
    kept = [c for c in first["claims"] if c["claim"] != "C6"]
    assert json.dumps(kept, sort_keys=True) == json.dumps(second["claims"], sort_keys=True)


def test_one_worker_keeps_everything_in_this_process(
        quick_report: tuple[Path, dict, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``report.workers = 1`` starts no process, the reproduction's searches (C6) included, and C6
    comes out as with two workers."""
    _, first, _ = quick_report

    def no_processes(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process pool was started with report.workers = 1")

    monkeypatch.setattr("ltadmm_verify.jobs.ProcessPoolExecutor", no_processes)
    monkeypatch.setattr("ltadmm_verify.report.build.ProcessPoolExecutor", no_processes)
    (tmp_path / "c6.toml").write_text('[report]\nclaims = ["C6"]\nworkers = 1\n')
    out = tmp_path / "one.pdf"
    assert main(["report", "--quick", "--quiet", "--config", str(tmp_path / "c6.toml"),
                 "--out", str(out)]) == 0
    second = json.loads(out.with_suffix(".json").read_text())
    c6 = [c for c in first["claims"] if c["claim"] == "C6"]
    assert json.dumps(c6, sort_keys=True) == json.dumps(second["claims"], sort_keys=True)


# ---------------------------------------------------------------------------- bad configuration
@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[checks]\nseedz = 3\n", "unknown key 'checks.seedz'"),
        ("[checks]\nseeds = 'many'\n", "checks.seeds must be an integer, got 'many'"),
        ("[setup]\ngraphs = 'ring'\n", "setup.graphs must be a list of strings"),
        ("[setup]\ngraphs = ['ring', 'moebius']\n", "setup.graphs must be one of"),
        ("[checks]\nsigma2 = [0.1, -1.0]\n", "checks.sigma2 must be > 0"),
        ("[quick.checks]\nrounds = 1.5\n", "quick.checks.rounds must be an integer"),
        ("[quick.checks]\nseeds = 1\n", "quick.checks.seeds must be >= 2"),
        ("checks = 3\n", "checks must be a table"),
        ("[checks\n", "is not valid TOML"),
        ("[checks]\ngraph = 'torus'\n", "checks.graph must be one of setup.graphs"),
        ("[reproduction]\nexpensive_ratios = [5.0]\n",
         "reproduction: expensive_ratios must be a subset of ratios"),
        ("[reproduction]\nsplits = ['iid', 'iid']\n", "reproduction: splits must be distinct"),
        ("[reproduction]\nratios = [0.0]\n", "reproduction.ratios must be > 0"),
        ("[algorithm]\nrho = nan\n", "algorithm.rho must be a finite number, got nan"),
        ("[algorithm]\nrho = inf\n", "algorithm.rho must be a finite number, got inf"),
        ("[algorithm]\nrho = 1e300\n", "algorithm.rho must have magnitude at most 1e+15"),
        ("[reproduction]\nsplits = ['random']\n", "reproduction.splits must be one of ['iid', 'label']"),
        ("[checks]\ngamma_fraction = 5.0\n", "checks.gamma_fraction must lie in the open interval"),
        ("[checks]\ngamma_fractions = [0.1, 1.0]\n", "checks.gamma_fractions must lie in the open"),
        ("[report]\nworkers = 1000\n", "report.workers must be at most 64, got 1000"),
        ("[setup]\nagents = 100000000000000000000\n", "setup.agents must be at most 1000"),
        ("[theory]\ncertify = 1\n", "theory.certify must be a boolean"),
        ("[setup]\ngraphs = ['torus']\n[checks]\ngraph = 'torus'\n", "setup: n must factor"),
    ],
)
def test_bad_configuration_fails_fast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    toml: str, expected: str,
) -> None:
    def no_computation(*args: object, **kwargs: object) -> None:
        raise AssertionError("the report started computing with an invalid configuration")

    monkeypatch.setattr("ltadmm_verify.report.build_report", no_computation)
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    out = tmp_path / "out" / "v.pdf"
    assert main(["report", "--config", str(config), "--out", str(out), "--quiet"]) == 2
    assert expected in capsys.readouterr().err
    assert not out.exists() and not out.with_suffix(".json").exists()


@pytest.mark.parametrize(
    ("extra", "content", "expected"),
    [
        ([], b"[report]\ntitle = '\xff\xfe'\n", "must be UTF-8 text (TOML), got byte b'\\xff'"),
        (["--seed", str(10**23)], b"", "--seed must be an integer in [0, 1000000000000]"),
    ],
)
def test_unreadable_configuration_and_huge_seed_fail_fast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    extra: list[str], content: bytes, expected: str,
) -> None:
    monkeypatch.setattr("ltadmm_verify.report.build_report", _no_computation)
    config = tmp_path / "bad.toml"
    config.write_bytes(content)
    assert main(["report", "--config", str(config), "--out", str(tmp_path / "v.pdf"), *extra]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def _no_computation(*args: object, **kwargs: object) -> None:
    raise AssertionError("the report started computing")


def test_configuration_overrides_merge(tmp_path: Path) -> None:
    config = tmp_path / "user.toml"
    config.write_text("[setup]\ngraphs = ['path']\n[checks]\nsigma2 = [1, 2]\n"
                      "[quick.checks]\nseeds = 2\n")
    full = load_config(config)
    assert full["setup"]["graphs"] == ["path"]
    assert full["setup"]["agents"] == load_config()["setup"]["agents"]  # untouched keys kept
    assert full["checks"]["sigma2"] == [1.0, 2.0] and isinstance(full["checks"]["sigma2"][0], float)
    assert full["checks"]["seeds"] == load_config()["checks"]["seeds"]  # [quick] only with quick
    quick = load_config(config, quick=True, seed=7)
    assert quick["checks"]["seeds"] == 2 and quick["report"]["seed"] == 7
    assert quick["setup"]["graphs"] == ["path"]  # the user's file wins over the default [quick]
    with pytest.raises(ConfigurationError, match=r"--seed must be an integer in \[0, 1000000000000\]"):
        load_config(seed=-1)


# ---------------------------------------------------------------------------- summary rows
def test_summary_row_verdicts() -> None:
    ok = CheckResult("C1.a", "a", 1.0, 2.0, "<=", half_width=0.1, evidence={"seeds": [0, 1, 2]})
    bad = CheckResult("C1.b", "b", 3.0, 2.0, "<=", half_width=0.1, evidence={"n_seeds": 5})
    undecided = CheckResult("C1.d", "d", 2.05, 2.0, "<=", half_width=0.1)
    na = CheckResult.not_applicable("C1.c", "c", "needs a quadratic")
    row = cl.summary_row("C1", [ok, bad, undecided, na])
    assert row["verdict"] == "FAIL" and row["measured"] == 3.0 and row["seeds"] == 5
    assert row["display"][7] == "1 pass, 1 fail, 1 inconclusive, 1 n/a"
    row = cl.summary_row("C1", [na, ok])
    assert row["verdict"] == "PASS" and row["measured"] == 1.0 and row["seeds"] == 3
    row = cl.summary_row("C1", [ok, undecided])
    assert row["verdict"] == "INCONCLUSIVE" and row["measured"] == 2.05
    assert "straddles" in row["reason"]
    row = cl.summary_row("C1", [na])
    assert row["verdict"] == "NOT APPLICABLE" and row["reason"] == "needs a quadratic"
    row = cl.summary_row("C1", [], "not implemented")
    assert row["verdict"] == "NOT APPLICABLE" and row["display"][5] == "not implemented"


def test_a_section_that_rejects_its_inputs_is_not_applicable() -> None:
    from ltadmm_verify.errors import InvalidParameterError

    def rejects(config: dict, instances: object) -> object:
        raise InvalidParameterError("gamma must be > 0, got -1")

    config = load_config(quick=True)
    data = cl.compute_claim("C1", config, None, {"C1": rejects})  # type: ignore[arg-type]
    assert data["checks"] == [] and data["summary"]["verdict"] == "NOT APPLICABLE"
    assert data["summary"]["reason"] == "could not be evaluated: gamma must be > 0, got -1"
