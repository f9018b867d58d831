"""show_source(layer, core=True): the maths of every layer, without its input checks.

The marking is the layers' own: a statement that is only a call to a require_*() function is a
check (deepnet/layers.py says so). These tests hold every layer to it: the core view compiles, keeps
the forward/backward maths, and no check, raise or long docstring gets through.
"""
import ast
import importlib.util
import inspect
import sys
import textwrap

import pytest

import deepnet.layers
from deepnet.course.source import show_source, source_text

LAYERS = [deepnet.layers.MulLayer, deepnet.layers.AddLayer, deepnet.layers.Relu, deepnet.layers.Sigmoid,
          deepnet.layers.Affine, deepnet.layers.SoftmaxWithLoss]

MATHS = {
    "MulLayer": ["self.x = x", "self.y = y", "return x * y", "dx = dout * self.y", "dy = dout * self.x"],
    "AddLayer": ["return x + y", "dx = dout * 1", "dy = dout * 1", "return dx, dy"],
    "Relu": ["self.mask = x <= 0", "return np.where(self.mask, 0, x)", "return np.where(self.mask, 0, dout)"],
    "Sigmoid": ["self.out = sigmoid(x)", "return dout * (1.0 - self.out) * self.out"],
    "Affine": ["self.x = x.reshape(x.shape[0], -1)", "return self.x @ self.W + self.b",
               "self.dW = self.x.T @ dout", "self.db = np.sum(dout, axis=0)", "dx = dout @ self.W.T"],
    "SoftmaxWithLoss": [
        "shifted = scores - np.max(scores, axis=-1, keepdims=True)",
        "log_y = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))",
        "picked = np.sum(log_y[np.arange(n), t.reshape(n)])",
        "self.loss = (-picked / n).astype(log_y.dtype)",
        "dx = y - t.reshape(n, c).astype(y.dtype)",
        "dx[np.arange(n), t.reshape(n)] -= 1",
        "dx = dx * (dout / n)",
    ],
}


def checks_in(source):
    """The text of every check statement in source, found directly in its syntax tree."""
    return [ast.get_source_segment(source, node) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", "").startswith("require_")]


def stripped_lines(source):
    return [line.strip() for line in source.splitlines() if line.strip()]


def test_every_layer_of_the_module_is_tested():
    defined = {name for name, obj in vars(deepnet.layers).items()
               if inspect.isclass(obj) and obj.__module__ == "deepnet.layers"}
    assert defined == {layer.__name__ for layer in LAYERS} == set(MATHS)


def test_no_layer_raises_by_itself_so_every_check_is_a_marked_require_call():
    # An `if ...: raise` inside a class would be a check that core=True cannot see.
    tree = ast.parse(inspect.getsource(deepnet.layers))
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
        raises = [node.lineno for node in ast.walk(cls) if isinstance(node, ast.Raise)]
        assert raises == [], f"{cls.name} raises on lines {raises}: move the check into a require_*() call"


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.__name__)
def test_core_source_compiles_and_keeps_the_forward_and_backward_maths(layer):
    core = source_text(layer, core=True)
    tree = ast.parse(core)
    methods = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert {"__init__", "forward", "backward"} <= methods
    lines = stripped_lines(core)
    for maths in MATHS[layer.__name__]:
        assert any(maths in line for line in lines), f"{maths!r} is missing from the core view"


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.__name__)
def test_core_source_leaves_out_every_check_and_raise(layer):
    full, core = source_text(layer), source_text(layer, core=True)
    core_lines = stripped_lines(core)
    for check in checks_in(full):
        for line in stripped_lines(check):
            assert line not in core_lines, f"the check line {line!r} is in the core view"
    assert "require_" not in core
    assert "raise" not in core


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.__name__)
def test_core_source_keeps_only_the_summary_of_the_docstring_and_no_repr(layer):
    core = source_text(layer, core=True)
    summary, *details = inspect.getdoc(layer).splitlines()
    assert f'    """{summary}"""' in core.splitlines()
    assert [line for line in stripped_lines("\n".join(details)) if line in stripped_lines(core)] == []
    assert "__repr__" not in core


def test_layers_with_checks_lose_them_in_the_core_view():
    # So the tests above are not vacuous: these layers do check their input.
    for layer in (deepnet.layers.MulLayer, deepnet.layers.Relu, deepnet.layers.Sigmoid,
                  deepnet.layers.Affine, deepnet.layers.SoftmaxWithLoss):
        assert checks_in(source_text(layer)), layer.__name__


def test_softmax_with_loss_core_is_readable_without_opening_a_helper():
    # Its core calls numpy and, of deepnet's functions, only these self-explaining ones.
    tree = ast.parse(source_text(deepnet.layers.SoftmaxWithLoss, core=True))
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call)
              and isinstance(node.func, ast.Name)}
    assert called <= {"as_float_array", "is_one_hot"}


def test_full_source_is_the_file_as_written():
    for layer in LAYERS:
        assert source_text(layer) == inspect.getsource(layer)
    assert show_source(deepnet.layers.Affine).data == inspect.getsource(deepnet.layers.Affine)
    assert show_source(deepnet.layers.Affine, core=True).data == source_text(deepnet.layers.Affine, core=True)


EXAMPLE = '''
def require_positive(x):
    if x <= 0:
        raise ValueError("x must be positive")


class Scale:
    """Scale by two.

    A longer description that the core view leaves out.
    """

    def forward(self, x):
        """Return 2 x."""
        # a comment that belongs to the check
        require_positive(
            x,
        )
        self.x = x  # kept, with its comment
        return 2 * x

    def backward(self, dout):
        # why the gradient is 2: kept
        return 2 * dout

    def __repr__(self):
        return "Scale()"
'''

EXAMPLE_CORE = '''class Scale:
    """Scale by two."""

    def forward(self, x):
        """Return 2 x."""
        self.x = x  # kept, with its comment
        return 2 * x

    def backward(self, dout):
        # why the gradient is 2: kept
        return 2 * dout
'''


def test_core_view_of_a_class_from_a_file_drops_exactly_the_marked_lines(tmp_path, monkeypatch):
    path = tmp_path / "example_layer.py"
    path.write_text(textwrap.dedent(EXAMPLE))
    spec = importlib.util.spec_from_file_location("example_layer", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "example_layer", module)
    spec.loader.exec_module(module)
    assert source_text(module.Scale, core=True) == EXAMPLE_CORE
    assert source_text(module.Scale) == inspect.getsource(module.Scale)
