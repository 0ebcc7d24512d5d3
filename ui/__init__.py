"""The Streamlit side of the playground, shared by `playground.py` and the pages.

`presets` and `view` are plain Python (tested without Streamlit); `widgets` lays out the
controls every page shares, and `compute` runs the engine for them (cached across sessions
where the result cannot change). `language` picks the language of each run (?lang=, the control,
the browser's) before the entry script draws anything.
"""
