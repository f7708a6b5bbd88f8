"""matplotlib, imported only when a picture is drawn; figures that need no display.

A figure is made with ``matplotlib.figure.Figure`` and an Agg canvas, never through
``pyplot``: nothing is registered in pyplot's global list, no GUI backend is chosen, and writing
a file works on a machine without a display. Jupyter shows the returned figure through
``_repr_png_``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import MissingExtraError, UnsupportedError, shown

__all__ = ["FILE_FORMATS", "matplotlib", "new_figure", "save"]

FILE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


def matplotlib() -> Any:
    """The ``matplotlib`` module, or a clear error naming the extra to install."""
    try:
        import matplotlib as mpl
        import matplotlib.figure  # noqa: F401  (the submodules used below)
        from matplotlib.backends import backend_agg  # noqa: F401
    except ImportError:
        raise MissingExtraError("symxent.plot needs matplotlib: install symxent[plot] "
                                "(pip install 'symxent[plot]')") from None
    return mpl


_CLASS: Any = None


def _figure_class() -> Any:
    """A ``Figure`` subclass that Jupyter displays without pyplot (created once, on first use)."""
    global _CLASS
    if _CLASS is None:
        base: Any = matplotlib().figure.Figure

        class SymxentFigure(base):
            """A matplotlib Figure that displays itself in Jupyter (``_repr_png_``)."""

            def _repr_png_(self) -> bytes:
                import io

                buffer = io.BytesIO()
                self.savefig(buffer, format="png")
                return buffer.getvalue()

        _CLASS = SymxentFigure
    return _CLASS


def new_figure(width: float, height: float) -> Any:
    """A figure of ``width`` x ``height`` inches on an Agg canvas, laid out with constrained layout."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _figure_class()(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: Any, path: str | os.PathLike[str], *, dpi: int = 150) -> Path:
    """Write ``fig`` to ``path`` as PNG, SVG or PDF, chosen by the suffix.

    The file is written beside the target and moved into place, so a failed write leaves no
    half-written file.
    """
    target = Path(path)
    fmt = FILE_FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise UnsupportedError(f"output={shown(str(path))} must end in .png, .svg or .pdf")
    partial = target.with_name(f".{target.name}.partial")
    try:
        fig.savefig(partial, format=fmt, dpi=dpi, metadata=_metadata(fmt))
        os.replace(partial, target)
    finally:
        if partial.exists():
            partial.unlink()
    return target


def _metadata(fmt: str) -> dict[str, Any]:
    """No creation date in the file: the same figure gives the same bytes (PDF and SVG)."""
    if fmt == "pdf":
        return {"CreationDate": None, "Creator": "symxent"}
    if fmt == "svg":
        return {"Date": None, "Creator": "symxent"}
    return {"Software": "symxent"}
