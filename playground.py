"""tinytorch playground (placeholder until the Playground page lands)."""

import streamlit as st

from tinytorch import Tensor

st.set_page_config(page_title="tinytorch playground", layout="wide")
st.title("tinytorch playground")
x = Tensor([st.slider("x", -3.0, 3.0, 1.2, 0.01)])
y = x * x * x + x
y.backward()
st.write(f"f(x) = x·x·x + x = {y.item():.4g},  f′(x) = {x.grad.item():.4g}")
