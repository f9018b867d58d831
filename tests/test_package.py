"""The package as a whole: what `import deepnet` costs and exposes."""
import subprocess
import sys

import deepnet


def test_import_deepnet_does_not_import_matplotlib_or_ipywidgets():
    code = (
        "import sys, deepnet\n"
        "heavy = [m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_books_names_are_importable_from_the_top_level():
    for name in ["MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss",
                 "sigmoid", "softmax", "cross_entropy_error", "numerical_gradient"]:
        assert callable(getattr(deepnet, name)), name


def test_show_source_displays_the_code_that_runs():
    from deepnet.course.source import show_source

    code = show_source(deepnet.Relu)
    assert "class Relu" in code.data
    assert "def backward(self, dout)" in code.data
