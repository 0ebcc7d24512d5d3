"""The Streamlit side of the playground, shared by `playground.py` and the pages.

`presets` and `view` are plain Python (tested without Streamlit); `widgets` lays out the
controls every page shares and caches the engine's results per session-independent key.
"""
