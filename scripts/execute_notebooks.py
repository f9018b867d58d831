"""Re-execute course notebooks in place, so their stored outputs are real outputs of a real run.

    python scripts/execute_notebooks.py chapters/*.ipynb solutions/*.ipynb
    deepnet exercises          # then regenerate the stubs from the re-executed solutions

Each notebook runs in a fresh kernel from a neutral temporary directory (so it cannot depend on
the working directory), with no execution timings stored (they would change on every run).
nbclient's store_widget_state=False crashes when an Output widget receives output, so widget
state is stored and then dropped, together with the widget views: a view without its state shows
"model not found" and its random id changes every run. (The cell before each slider shows the
same plot as a static image, which GitHub displays.)
"""
import sys
import tempfile

import nbformat
from nbclient import NotebookClient

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def merge_streams(outputs):
    """Join consecutive prints to the same stream into one output: how the kernel splits them
    depends on timing, and a stored notebook should not change from run to run."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.output_type == "stream" and previous is not None and previous.output_type == "stream"
                and previous.name == output.name):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def execute_in_place(path):
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as neutral_directory:
        client = NotebookClient(nb, kernel_name="python3", timeout=600, record_timing=False,
                                resources={"metadata": {"path": neutral_directory}})
        client.execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            outputs = [output for output in cell.outputs if WIDGET_VIEW not in output.get("data", {})]
            cell.outputs = merge_streams(outputs)
    nbformat.write(nb, path)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for notebook_path in sys.argv[1:]:
        execute_in_place(notebook_path)
        print("executed", notebook_path)
