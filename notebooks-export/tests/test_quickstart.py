"""The quickstart notebook's steps, run as a script against the built binary."""
import os
import runpy

from conftest import shapdrift_binary

NOTEBOOKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "notebooks")


def test_quickstart_script_runs_end_to_end_and_finds_the_injected_drift(tmp_path, monkeypatch):
    monkeypatch.setenv("SHAPDRIFT_BIN", shapdrift_binary())
    monkeypatch.setenv("QUICKSTART_DIR", str(tmp_path))
    namespace = runpy.run_path(os.path.join(NOTEBOOKS, "quickstart.py"))
    report = namespace["report"]
    assert namespace["status"] == 1 and report.attrs["verdict"] == "drift"
    assert report["name"].iloc[0] == "support_calls" and "support_calls" in report.attrs["breached_features"]
    assert (tmp_path / "shift.png").stat().st_size > 0


def test_stored_notebook_has_the_scripts_cells_and_their_outputs():
    import json

    with open(os.path.join(NOTEBOOKS, "quickstart.ipynb")) as handle:
        notebook = json.load(handle)
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    with open(os.path.join(NOTEBOOKS, "quickstart.py")) as handle:
        script = handle.read()
    assert code and all("".join(cell["source"]) in script for cell in code)
    assert all(cell.get("outputs") is not None for cell in code)
    assert any(cell["outputs"] for cell in code)
