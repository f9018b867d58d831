"""Show deepnet's own code in a notebook, so the text never drifts from the package.

show_source(Affine) shows the whole class. show_source(Affine, core=True) shows the maths the book
prints: the same lines, less
- every statement that is only a call to a require_*() function (the checks of the caller's input,
  see deepnet/layers.py), with the comment lines directly above it;
- every docstring but its summary line;
- __repr__ (the book's classes have none).
Nothing else is rewritten: the remaining lines are the package's own, comments included.
"""
import ast
import inspect
import textwrap

CHECK_PREFIX = "require_"
LEFT_OUT_IN_CORE = ("__repr__",)


def show_source(obj, core=False):
    """Display the source of a deepnet class or function, syntax-highlighted in Jupyter.

    Returns an IPython Code object: notebooks show the code that actually runs,
    never a pasted copy of it. core=True leaves out the input checks, long docstrings and
    __repr__ (see source_text).
    """
    from IPython.display import Code  # IPython comes with Jupyter; deepnet itself needs only numpy

    return Code(source_text(obj, core=core), language="python")


def source_text(obj, core=False):
    """The source of obj as a string; with core=True, only the maths (see the module docstring)."""
    source = textwrap.dedent(inspect.getsource(obj))
    return core_source(source) if core else source


def is_check(statement):
    """True for a statement that is only a call such as require_forward(self, self.x)."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    function = statement.value.func
    name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
    return name.startswith(CHECK_PREFIX)


def core_source(source):
    """source without its checks, __repr__ and long docstrings; every other line kept as it is."""
    lines = source.splitlines()
    dropped = set()
    replaced = {}

    def drop(first, last, with_lines_above):
        """Drop lines first..last (1-based), and the lines directly above that match with_lines_above."""
        dropped.update(range(first, last + 1))
        above = first - 1
        while above >= 1 and with_lines_above(lines[above - 1].strip()):
            dropped.add(above)
            above -= 1

    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if node.name in LEFT_OUT_IN_CORE:
            first = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
            drop(first, node.end_lineno, lambda line: line == "")
            continue
        docstring = ast.get_docstring(node)
        if docstring is not None and "\n" in docstring.strip():
            first_statement = node.body[0]
            indent = lines[first_statement.lineno - 1][: first_statement.col_offset]
            summary = docstring.strip().splitlines()[0]
            drop(first_statement.lineno, first_statement.end_lineno, lambda line: False)
            replaced[first_statement.lineno] = f'{indent}"""{summary}"""'
        for statement in ast.walk(node):
            if isinstance(statement, ast.stmt) and is_check(statement):
                drop(statement.lineno, statement.end_lineno, lambda line: line.startswith("#"))

    kept = [replaced.get(number, line) for number, line in enumerate(lines, start=1)
            if number not in dropped or number in replaced]
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept) + "\n"
