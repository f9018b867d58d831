"""Figures and sliders for the notebooks: matplotlib plots (plots, training_plots) and ipywidgets
sliders (widgets). Imported only when a notebook asks, so that `import deepnet` needs numpy alone."""
