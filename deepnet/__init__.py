"""deepnet: the backpropagation layers of chapter 5 of *Deep Learning from Scratch*.

    from deepnet import MulLayer, Relu, Affine, SoftmaxWithLoss

deepnet.set_language("ko") shows every message of the course in Korean ("zh_CN": Chinese).
Plots (deepnet.figures.plots) and sliders (deepnet.figures.widgets) are separate modules, imported only
when a notebook asks for them, so that `import deepnet` needs numpy alone.
"""
from deepnet.course.language import set_language
from deepnet.functions import cross_entropy_error, sigmoid, softmax
from deepnet.gradient import (
    gradient_check_report,
    numerical_gradient,
    numerical_gradient_array,
    relative_error,
)
from deepnet.layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss

__version__ = "0.1.0"

__all__ = [
    "AddLayer",
    "Affine",
    "MulLayer",
    "Relu",
    "Sigmoid",
    "SoftmaxWithLoss",
    "cross_entropy_error",
    "gradient_check_report",
    "numerical_gradient",
    "numerical_gradient_array",
    "relative_error",
    "set_language",
    "sigmoid",
    "softmax",
]
