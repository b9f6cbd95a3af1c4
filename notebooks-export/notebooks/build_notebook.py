"""Builds quickstart.ipynb from quickstart.py's `# %%` cells and executes it, storing the outputs.

Run from the repository root after `make release` (needs nbformat, nbclient, ipykernel):
    SHAPDRIFT_BIN=$PWD/.build/release/shapdrift .venv-python/bin/python notebooks-export/notebooks/build_notebook.py
"""
import os
import re

import nbformat
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))


def cells(source):
    for block in re.split(r"^# %%", source, flags=re.M)[1:]:
        header, _, body = block.partition("\n")
        if header.strip() == "[markdown]":
            yield nbformat.v4.new_markdown_cell("\n".join(line[2:] if line.startswith("# ") else line.lstrip("#")
                                                          for line in body.strip().splitlines()))
        else:
            yield nbformat.v4.new_code_cell(body.strip())


def main():
    with open(os.path.join(HERE, "quickstart.py")) as handle:
        notebook = nbformat.v4.new_notebook(cells=list(cells(handle.read())))
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": HERE}}).execute()
    with open(os.path.join(HERE, "quickstart.ipynb"), "w") as handle:
        nbformat.write(notebook, handle)


if __name__ == "__main__":
    main()
