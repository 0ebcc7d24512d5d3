// The theme hook of ui/theme.py. Streamlit calls a component again, with the same data, when
// the theme is switched in the app's menu; each call reads the theme from the background colour
// Streamlit gives the component (--st-background-color) and:
//   role "page"   marks <html> with it (data-tt-theme, color-scheme) for the app's stylesheet;
//   role "chart"  restyles one st.plotly_chart for it, from the patches the server sent;
//   role "rerun"  asks for a rerun when it is not the theme the server drew the page in.

export function themeOf(element) {
  const colour = getComputedStyle(element).getPropertyValue("--st-background-color").trim();
  const probe = document.createElement("canvas").getContext("2d");
  probe.fillStyle = "#fff";
  probe.fillStyle = colour || "#fff";
  const hex = probe.fillStyle;  // normalised to #rrggbb (or rgba(...))
  const rgb = hex.startsWith("#") ? [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))
    : (hex.match(/[\d.]+/g) || [255, 255, 255]).slice(0, 3).map(Number);
  const [r, g, b] = rgb.map((c) => c / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 ? "dark" : "light";
}

function restyle(gd, patch) {
  const Plotly = window.Plotly;  // Streamlit's plotly chunk, loaded: the chart is drawn
  if (!Plotly || !gd._fullLayout) return;
  for (const [index, changes] of patch.traces) {
    // restyle reads an array as one value per trace: wrap each value for this one trace
    Plotly.restyle(gd, Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, [v]])), [index]);
  }
  if (Object.keys(patch.layout).length) Plotly.relayout(gd, patch.layout);
}

function followChart(data, theme) {
  const gd = document.querySelector(`.st-key-${CSS.escape(data.chart)} .js-plotly-plot`);
  if (!gd) {  // not drawn yet: try again at the next frame or two
    data.tries = (data.tries || 0) + 1;
    if (data.tries < 120) requestAnimationFrame(() => followChart(data, theme));
    return;
  }
  const state = gd.ttTheme ??= {};
  Object.assign(state, {drawn: data.theme, patches: data.patches, want: theme});
  const apply = () => {
    // Streamlit draws the server's figure (in `drawn`'s theme) whenever it sends a new one, and
    // may redraw it when the theme changes: restyle after every such drawing, and now.
    if (state.want !== state.drawn || state.changed) {
      state.changed = state.want !== state.drawn;
      restyle(gd, state.patches[state.want]);
    }
  };
  if (!state.wired) {
    state.wired = true;
    gd.on("plotly_react", () => { state.changed = false; apply(); });
  }
  apply();
}

const asked = new WeakMap();  // rerun mount -> the theme it last asked a rerun for

export default function (component) {
  const {data, parentElement} = component;
  if (!data || typeof data !== "object") return;
  const theme = themeOf(parentElement);
  if (data.role === "page") {
    document.documentElement.dataset.ttTheme = theme;
    document.documentElement.style.colorScheme = theme;
  } else if (data.role === "chart") {
    followChart(data, theme);
  } else if (data.role === "rerun" && theme !== data.theme && asked.get(parentElement) !== theme) {
    asked.set(parentElement, theme);
    component.setTriggerValue("theme", theme);
  }
}
