"""What the pages teach, as plain functions: the tinytorch engine's graphs and runs turned into
pictures, curves, figures, runs and reference tables. No Streamlit here, so all of it is tested
without an app.

    viz         the computation graph: node records, the node table, graphviz DOT and SVG
    curves      f, f′, f″ sampled over a range in one vectorised pass; finite differences
    plots       Plotly figures of a curve: f, f′, the point and its tangent
    surface     f(x, y) and its partial derivatives on a grid, and the slices through a point
    descent     gradient descent on f(x) with a plain-language verdict
    datasets    two-class toy data in the plane (moons, circles, xor)
    page_plots  Plotly figures for the two-variable, descent and network pages
    catalog     the engine's ops, their rules and their source, read from tinytorch/ops.py
    wheel       the engine as a wheel to pip install, zipped in memory from tinytorch/
    i18n        the reader's language: gettext catalogs (locales/) read by Babel, a language per run

Imports point one way: the app (`ui/`, `pages/`) → lessons → tinytorch.
"""
