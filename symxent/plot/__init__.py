"""Pictures for coursework: distributions side by side, loss curves, KL over the unit square.

Needs the optional extra ``plot`` (``pip install 'symxent[plot]'``, matplotlib); importing
``symxent.plot`` does not import matplotlib, drawing does, and raises
:class:`~symxent.errors.MissingExtraError` when it is not installed. Each function returns a
``matplotlib.figure.Figure`` (Jupyter shows it); :func:`save` writes PNG, SVG or PDF by the
suffix, without a display. Everything a figure reports as a number (bar heights, marked
losses, mean lines, legend totals) is computed exactly by symxent and drawn at its certified
float64; only the smooth curves and the heat map's colours are float64 formulas.

>>> from symxent.plot import distributions
>>> fig = distributions(["1/2", "1/4", "1/4"], ["1/3", "1/3", "1/3"], base=2)
>>> [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
['H(P) = 1.500 bits', 'H(P, Q) = 1.585 bits', 'KL(P ‖ Q) = 0.08496 bits']
"""

from ..errors import MissingExtraError
from ._mpl import FILE_FORMATS, save
from .contributions import EventContributions, event_contributions
from .distributions import distributions
from .heatmap import kl_bernoulli_heatmap
from .losses import bce_vs_logit, binary_predictions, sample_losses
from .sheet_figures import register_sheet_figures

__all__ = ["distributions", "binary_predictions", "bce_vs_logit", "kl_bernoulli_heatmap", "save",
           "event_contributions", "EventContributions", "sample_losses", "FILE_FORMATS", "MissingExtraError",
           "register_sheet_figures"]
