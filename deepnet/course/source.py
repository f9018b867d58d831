"""Show deepnet's own code in a notebook, so the text never drifts from the package."""
import inspect


def show_source(obj):
    """Display the source of a deepnet class or function, syntax-highlighted in Jupyter.

    Returns an IPython Code object: notebooks show the code that actually runs,
    never a pasted copy of it.
    """
    from IPython.display import Code  # IPython comes with Jupyter; deepnet itself needs only numpy

    return Code(inspect.getsource(obj), language="python")
