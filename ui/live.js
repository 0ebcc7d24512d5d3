// The live view of ui/live.py. This module comes with the blob mount (whose message Streamlit
// sends once and then caches); the view and table mounts are a few lines (ui/live_mount.js) that
// hand their component to `mount` below, through window.__tinytorchLive, so every mount on the
// page shares `blobs` and `channels`:
//   a blob mount (bytes)  decodes what lessons/live.py packed and offers it under its key;
//   a "live" view         draws the slider, the numbers, the graph and the plot, and moves x;
//   a "graph" view        draws a graph with the numbers of one point and a highlight;
//   a "table" mount       shows the node table of the live view with the same key.
// Nothing here is fetched from another host: the plot uses the plotly.js that Streamlit serves.

const FORMAT = 1;
const SPECIAL = ["0", "nan", "∞", "−∞"];
const SPAN = 20000, M_BIAS = 10000, EXP_BIAS = 400;  // lessons/live.py's number codes
const COMMIT_AFTER_KEYS_MS = 400;  // keys pause this long, then x is written to the URL
const MAX_SCALE = {normal: 1.25, present: 1.6};  // largest starting zoom: text at 20 / 25.6 px
const READABLE_SCALE = 0.875;  // 14 px numbers: a tall graph starts no smaller than this if it can
const NARROW = 640;  // px: a phone's width. A graph there starts at READABLE_SCALE at least, from its left
const PT = 4 / 3;  // `dot` draws in points
const SVG = "http://www.w3.org/2000/svg";
const SLOT_WORDS = {v: "value ", g: "grad "};  // lessons/viz.py's slot_words(): a slot's line, before its number

// ---- numbers: the text lessons/live.py's number_text writes -----------------------------------

export function numberText(code) {
  if (code < 4) return SPECIAL[code];
  const exponent = Math.floor(code / SPAN) - EXP_BIAS;
  const mantissa = (code % SPAN) - M_BIAS;
  const sign = mantissa < 0 ? "-" : "";
  const digits = String(Math.abs(mantissa));
  if (exponent >= -4 && exponent < 4) {
    let whole, fraction;
    if (exponent >= 0) {
      whole = digits.slice(0, exponent + 1);
      fraction = digits.slice(exponent + 1);
    } else {
      whole = "0";
      fraction = "0".repeat(-exponent - 1) + digits;
    }
    fraction = fraction.replace(/0+$/, "");
    return sign + whole + (fraction ? "." + fraction : "");
  }
  const fraction = digits.slice(1).replace(/0+$/, "");
  const e = String(Math.abs(exponent)).padStart(2, "0");
  return `${sign}${digits[0]}${fraction ? "." + fraction : ""}e${exponent < 0 ? "-" : "+"}${e}`;
}

// ---- blobs ----------------------------------------------------------------------------------

const blobs = new Map();  // key -> {ready: Promise, resolve, value, holders}
const held = new WeakMap();  // blob mount -> {bytes, key}

function blobEntry(key) {
  let entry = blobs.get(key);
  if (!entry) {
    let resolve;
    const ready = new Promise((r) => { resolve = r; });
    entry = {ready, resolve, value: null, holders: 0};
    blobs.set(key, entry);
  }
  return entry;
}

function release(key) {
  const entry = key && blobs.get(key);
  if (entry && --entry.holders <= 0) blobs.delete(key);
}

async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function decode(bytes) {
  const raw = await gunzip(bytes);
  const length = new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(raw.subarray(4, 4 + length)));
  if (header.format !== FORMAT) throw new Error(`live view: blob format ${header.format}, expected ${FORMAT}`);
  const n = header.n || 0;
  let offset = 4 + length;
  const floats = [];
  for (let i = 0; i < header.floats; i++) {
    floats.push(new Float64Array(raw.slice(offset, offset + 8 * n).buffer));
    offset += 8 * n;
  }
  const total = header.columns * n;
  const codes = new Int32Array(total);
  const [p0, p1, p2, p3] = [0, 1, 2, 3].map((j) => offset + j * total);
  for (let c = 0; c < header.columns; c++) {
    let sum = 0;  // each column is sent as differences: add them up again
    for (let i = c * n, end = i + n; i < end; i++) {
      sum = (sum + (raw[p0 + i] | (raw[p1 + i] << 8) | (raw[p2 + i] << 16) | (raw[p3 + i] << 24))) | 0;
      codes[i] = sum;
    }
  }
  return {header, floats, codes, n, text: (column, k) => numberText(codes[column * n + k])};
}

function receiveBlob(bytes, host) {
  const mine = held.get(host);
  if (mine && mine.bytes === bytes) return undefined;  // the same blob again (a theme change)
  const state = {bytes, key: null};
  held.set(host, state);
  decode(bytes).then((blob) => {
    if (held.get(host) !== state) return;  // a newer blob arrived meanwhile
    const entry = blobEntry(blob.header.id);
    entry.holders++;
    entry.value = blob;
    entry.resolve(blob);
    if (mine && mine.key && mine.key !== blob.header.id) release(mine.key);
    state.key = blob.header.id;
  }).catch((error) => console.warn("tinytorch live view:", error));
  return () => release(held.get(host)?.key);
}

// ---- channels: the live view tells its node table what it shows -----------------------------

const channels = new Map();  // blob key -> {listeners: Set, state}

function channel(key) {
  let ch = channels.get(key);
  if (!ch) {
    ch = {listeners: new Set(), state: null};
    channels.set(key, ch);
  }
  return ch;
}

function publish(key, state) {
  const ch = channel(key);
  ch.state = state;
  for (const listener of ch.listeners) listener(state);
}

// ---- Plotly: the bundle Streamlit itself serves for st.plotly_chart --------------------------

let plotlyLoading = null;

function loadPlotly(file) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!file) return Promise.reject(new Error("no plotly.js chunk in this Streamlit"));
  plotlyLoading ??= (async () => {
    // Streamlit's own scripts are at <app>/static/js/; its PlotlyChart chunk sets window.Plotly.
    const own = document.querySelector('script[type="module"][src*="/static/js/index."]');
    const base = own ? own.src : new URL("static/js/", document.baseURI).href;
    await import(new URL(file, base).href);
    if (!window.Plotly) throw new Error("Streamlit's plotly chunk did not define Plotly");
    return window.Plotly;
  })();
  return plotlyLoading;
}

// ---- the theme: the one ui/theme.js marks on <html>, followed as the menu switches it ----------

function pageTheme() {
  return document.documentElement.dataset.ttTheme === "dark" ? "dark" : "light";
}

// What a view takes from every render before its blob is ready: the data, the words in the
// reader's language, the page's theme, presenter mode and dimming.
function takeRender(view, data) {
  view.data = data;
  view.graph.words = data.words || {};
  localize(view.root, view.graph.words);
  view.table?.localize(view.graph.words);
  view.top.dataset.theme = pageTheme();
  view.top.classList.toggle("tt-present", !!data.present);
  view.top.classList.toggle("tt-dim", !!data.dim);
}

const themeFollowers = new Set();  // each view's restyle, run when the mark changes
new MutationObserver(() => themeFollowers.forEach((follow) => follow()))
  .observe(document.documentElement, {attributes: true, attributeFilter: ["data-tt-theme"]});

function followTheme(view, restyle = () => {}) {
  view.followTheme = () => {
    view.top.dataset.theme = pageTheme();
    restyle();
  };
  themeFollowers.add(view.followTheme);
}

// ---- the view --------------------------------------------------------------------------------

const VIEW_HTML = `
<div class="tt" data-theme="light">
  <div class="tt-bar" hidden>
    <div class="tt-x">
      <label class="tt-x-label" for="tt-slider" title="Every position of this slider comes from one vectorised pass of the engine: the graph built once on all of them, one backward pass for every box's gradient at each. Drag, or use the arrow keys, Home and End."><i>x</i> =</label>
      <output class="tt-x-value" for="tt-slider"></output>
      <input id="tt-slider" class="tt-slider" type="range" min="0" max="0" step="1" value="0" aria-label="x"
        title="Every slider position's numbers come from one vectorised pass: nothing waits for the server as x moves">
    </div>
    <div class="tt-metrics">
      <div class="tt-metric" data-m="f"><div class="tt-metric-label">f(x)</div><div class="tt-metric-value"></div></div>
      <div class="tt-metric" data-m="df"><div class="tt-metric-label">f′(x), by backprop</div><div class="tt-metric-value"></div></div>
      <div class="tt-metric" data-m="d2f" hidden><div class="tt-metric-label">f″(x)</div><div class="tt-metric-value"></div></div>
    </div>
  </div>
  <div class="tt-graph">
    <div class="tt-tools" role="toolbar" aria-label="Graph view">
      <button type="button" data-zoom="width" title="Fit the graph to the width">Fit width</button>
      <button type="button" data-zoom="all" title="Show the whole graph">Fit all</button>
      <button type="button" data-zoom="actual" title="Actual size">100%</button>
      <button type="button" data-zoom="out" title="Zoom out" aria-label="Zoom the graph out">−</button>
      <button type="button" data-zoom="in" title="Zoom in" aria-label="Zoom the graph in">+</button>
      <button type="button" class="tt-show-table" aria-expanded="false">Every node as a table</button>
      <span class="tt-hint">Ctrl + scroll or pinch to zoom, drag to pan; click a box to trace it</span>
    </div>
    <div class="tt-viewport" role="group" aria-roledescription="graph"
      aria-label="Computation graph: every box is a value. Arrow keys move from box to box, Enter traces a box's inputs and consumers, Escape stops."><div class="tt-canvas"></div><div class="tt-empty" hidden></div></div>
    <div class="tt-tip" role="tooltip" hidden></div>
  </div>
  <div class="tt-plot-box"><div class="tt-plot"></div></div>
  <div class="tt-plot-note" hidden></div>
</div>`;

const TABLE_HTML = `
<div class="tt" data-theme="light"></div>`;

// The node table: the graph's text alternative. One tab stop (a roving tabindex over the rows):
// the arrow keys, Home and End move between rows, Enter traces the row's box in the graph.
const NODE_TABLE_HTML = `
  <div class="tt-table-wrap" role="region" tabindex="-1">
    <table class="tt-table">
      <caption>Every node of the graph: its value, local derivatives and gradient.
        Arrow keys move between rows; Enter traces the node in the graph.</caption>
      <thead><tr><th scope="col" data-col="0">node</th><th scope="col" data-col="1">kind</th>
        <th scope="col" data-col="2">op</th><th scope="col" data-col="3">value</th>
        <th scope="col" data-col="4">local derivatives</th><th scope="col" data-col="5">gradient</th></tr></thead>
      <tbody></tbody>
    </table>
  </div>`;

const views = new WeakMap();  // the component's element -> its view or table
let serial = 0;  // makes the ids of each graph's elements unique on the page

// The words of the markup above in the reader's language: ui/live.py's words(), sent with every
// view (the markup's English stays where a word is missing).
const WORDED = [
  [".tt-x-label", "title", "x_title"], [".tt-slider", "title", "slider_title"],
  ['.tt-metric[data-m="df"] .tt-metric-label', "textContent", "df"], [".tt-tools", "ariaLabel", "tools"],
  ['[data-zoom="width"]', "textContent", "fit_width"], ['[data-zoom="width"]', "title", "fit_width_title"],
  ['[data-zoom="all"]', "textContent", "fit_all"], ['[data-zoom="all"]', "title", "fit_all_title"],
  ['[data-zoom="actual"]', "title", "actual_title"],
  ['[data-zoom="out"]', "title", "zoom_out_title"], ['[data-zoom="out"]', "ariaLabel", "zoom_out_label"],
  ['[data-zoom="in"]', "title", "zoom_in_title"], ['[data-zoom="in"]', "ariaLabel", "zoom_in_label"],
  [".tt-hint", "textContent", "hint"], [".tt-show-table", "textContent", "table_button"],
  [".tt-viewport", "ariaLabel", "graph_label"],
];

function localize(root, words) {
  for (const [selector, property, word] of WORDED) {
    const target = el(root, selector);
    if (target && words[word] !== undefined && target[property] !== words[word]) target[property] = words[word];
  }
}

function fill(template, values) {
  // "{kind}, the result of {op}" with the values in (our own templates; the values are text)
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}

function el(root, selector) {
  return root.querySelector(selector);
}

function mount(root, markup) {
  // Into the component's element, next to (not over) the <style> Streamlit put there.
  const holder = document.createElement("div");
  holder.innerHTML = markup;  // our own constant markup
  root.append(holder);
  return holder;
}

class Graph {
  // The picture: numbers written into `dot`'s text, zoom and pan, hover, focus and highlight.
  constructor(root, onFocus) {
    this.root = root;
    this.box = el(root, ".tt-graph");
    this.viewport = el(root, ".tt-viewport");
    this.canvas = el(root, ".tt-canvas");
    this.tip = el(root, ".tt-tip");
    this.uid = `tt${++serial}`;
    this.tip.id = `${this.uid}-tip`;
    this.onFocus = onFocus;
    this.view = {scale: 1, tx: 0, ty: 0};
    this.words = {};  // the view's words (ui/live.py), set with every update
    this.present = false;
    this.blobKey = null;
    this.focused = null;
    this.wire();
  }

  load(blob, present) {
    this.present = present;
    if (this.blobKey === blob.header.id) return;
    this.blobKey = blob.header.id;
    this.meta = new Map(blob.header.nodes.map((n) => [n.id, n]));
    this.consumers = new Map();
    for (const n of blob.header.nodes) {
      for (const input of n.inputs) {
        if (!this.consumers.has(input)) this.consumers.set(input, new Set());
        this.consumers.get(input).add(n.id);
      }
    }
    const empty = el(this.root, ".tt-empty");
    if (!blob.header.svg) {
      this.canvas.replaceChildren();
      empty.hidden = false;
      empty.textContent = this.words.no_dot ?? "The graph needs graphviz's `dot` on the server; it is drawn below instead.";
      this.svg = null;
      this.slots = [];
      return;
    }
    empty.hidden = true;
    // Our own server's SVG: `dot`'s output, every label escaped by lessons/viz.py.
    this.canvas.innerHTML = blob.header.svg;
    this.svg = this.canvas.querySelector("svg");
    const box = this.svg.viewBox.baseVal;
    this.width = box.width * PT;
    this.height = box.height * PT;
    this.svg.removeAttribute("style");
    this.slots = [];
    const mark = /\ue000(n\d+)([vg])\ue000/;
    for (const text of this.svg.querySelectorAll("text")) {
      const m = mark.exec(text.textContent);
      if (m) this.slots.push({node: text.firstChild, id: m[1], which: m[2], last: null});
    }
    this.groups = new Map();
    for (const g of this.svg.querySelectorAll("g.node, g.edge")) this.groups.set(g.id, g);
    // One tab stop for the whole graph (a roving tabindex): the arrow keys move between boxes.
    // A box is named by its own text (label, value, grad: kept current as x moves) and described
    // by the tip, which shows its whole sub-expression while it has the focus.
    this.boxes = [];
    for (const n of blob.header.nodes) {
      const g = this.groups.get(n.id);
      if (!g) continue;
      g.setAttribute("data-node", n.id);
      g.setAttribute("role", "button");
      g.setAttribute("tabindex", "-1");
      const texts = [...g.querySelectorAll("text")];
      texts.forEach((t, i) => { t.id = `${this.uid}-${n.id}-${i}`; });
      g.setAttribute("aria-labelledby", texts.map((t) => t.id).join(" "));
      g.setAttribute("aria-describedby", this.tip.id);
      this.boxes.push(g);
      const op = this.groups.get(n.id + "_op");
      if (op) op.setAttribute("data-node", n.id);
    }
    const start = blob.header.nodes.find((n) => n.kind === "input") || blob.header.nodes[0];
    this.current = start ? this.groups.get(start.id) || this.boxes[0] : this.boxes[0];
    this.current?.setAttribute("tabindex", "0");
    this.fitLabels();
    this.focused = null;
    this.auto = true;
  }

  moveTo(g) {
    // The box `g` becomes the graph's tab stop and takes the focus, in view.
    if (!g) return;
    this.current?.setAttribute("tabindex", "-1");
    this.current = g;
    g.setAttribute("tabindex", "0");
    this.reveal(g);
    g.focus({preventScroll: true});
  }

  nextBox(from, key) {
    // The nearest box in the arrow's direction (a box straight ahead beats one off to the side).
    const centre = (g) => { const r = g.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; };
    const [x0, y0] = centre(from);
    const [dx, dy] = {ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1]}[key];
    let best = null, bestScore = Infinity;
    for (const g of this.boxes) {
      if (g === from) continue;
      const [x, y] = centre(g);
      const ahead = (x - x0) * dx + (y - y0) * dy, aside = Math.abs((x - x0) * dy + (y - y0) * dx);
      if (ahead <= 1) continue;
      const score = ahead + 2 * aside;
      if (score < bestScore) [best, bestScore] = [g, score];
    }
    return best;
  }

  reveal(g) {
    // Pan so that the box is inside the viewport (with a margin), when it is not.
    const box = g.getBoundingClientRect(), view = this.viewport.getBoundingClientRect();
    const margin = 12;
    let dx = 0, dy = 0;
    if (box.left < view.left + margin) dx = view.left + margin - box.left;
    else if (box.right > view.right - margin) dx = Math.max(view.right - margin - box.right, view.left + margin - box.left);
    if (box.top < view.top + margin) dy = view.top + margin - box.top;
    else if (box.bottom > view.bottom - margin) dy = Math.max(view.bottom - margin - box.bottom, view.top + margin - box.top);
    if (dx || dy) {
      this.auto = false;
      this.panBy(dx, dy);
    }
  }

  fitLabels() {
    // `dot` placed each label for its own estimate of the font's width; the browser's font
    // (Arial, Helvetica, Liberation Sans...) differs a little, and bold more. Centre every
    // label in its shape, and squeeze the rare one that would spill over the border.
    for (const g of this.svg.querySelectorAll("g.node")) {
      const shape = g.querySelector("path, ellipse, polygon");
      const label = g.querySelector("text");
      if (!shape || !label) continue;
      const box = shape.getBBox();
      label.setAttribute("text-anchor", "middle");
      label.setAttribute("x", String(box.x + box.width / 2));
      const room = box.width - 10;
      if (label.getComputedTextLength() > room) {
        label.setAttribute("textLength", String(room));
        label.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    }
  }

  autoFit() {
    // Until the student zooms or pans: long graphs at their width, small ones no larger than
    // MAX_SCALE (again whenever the viewport changes size).
    if (!this.svg || !this.auto) return;
    const vw = this.viewport.clientWidth;
    if (!vw) return;
    const cap = MAX_SCALE[this.present ? "present" : "normal"];
    const fitWidth = (vw - 16) / this.width;
    const narrow = vw < NARROW;  // a phone: legible text first, and a finger pans sideways to the rest
    let scale = narrow ? Math.max(Math.min(fitWidth, cap), READABLE_SCALE) : Math.min(fitWidth, cap);
    this.viewport.classList.remove("tt-zoomed");
    if (!this.present) {
      // The viewport takes the graph's height at that scale, up to most of the window.
      const most = Math.max(160, window.innerHeight * 0.6);
      const want = this.height * scale + 16;
      this.viewport.style.height = `${Math.min(want, most)}px`;
      if (want > most && !narrow) scale = Math.max(this.fitAll(), Math.min(scale, READABLE_SCALE));
    } else {
      this.viewport.style.height = "";  // presenter mode's height is the stylesheet's
      if (this.height * scale + 16 > this.viewport.clientHeight) {
        scale = Math.max(this.fitAll(), Math.min(scale, READABLE_SCALE));
      }
    }
    this.zoomTo(scale);
    if (narrow) {  // from the inputs, on the left
      this.view.tx = this.view.ty = 8;
      this.panBy(0, 0);
    }
  }

  fitAll() {
    return Math.min((this.viewport.clientWidth - 16) / this.width, (this.viewport.clientHeight - 16) / this.height);
  }

  zoomTo(scale, cx = null, cy = null) {
    // Zoom about (cx, cy) in viewport pixels; centred when the graph is smaller than the viewport.
    if (!this.svg) return;
    scale = Math.min(Math.max(scale, 0.05), 4);
    const v = this.view;
    const vw = this.viewport.clientWidth, vh = this.viewport.clientHeight;
    if (cx === null) {
      v.tx = (vw - this.width * scale) / 2;
      v.ty = (vh - this.height * scale) / 2;
    } else {
      v.tx = cx - (cx - v.tx) * (scale / v.scale);
      v.ty = cy - (cy - v.ty) * (scale / v.scale);
    }
    v.scale = scale;
    this.svg.setAttribute("width", `${this.width * scale}`);
    this.svg.setAttribute("height", `${this.height * scale}`);
    this.panBy(0, 0);
  }

  panBy(dx, dy) {
    const v = this.view;
    const vw = this.viewport.clientWidth, vh = this.viewport.clientHeight;
    const w = this.width * v.scale, h = this.height * v.scale;
    v.tx += dx;
    v.ty += dy;
    // Keep the graph on screen: centred if it fits, else no gap at either end.
    v.tx = w <= vw ? (vw - w) / 2 : Math.min(8, Math.max(vw - w - 8, v.tx));
    v.ty = h <= vh ? (vh - h) / 2 : Math.min(8, Math.max(vh - h - 8, v.ty));
    this.canvas.style.transform = `translate(${v.tx}px, ${v.ty}px)`;
  }

  wire() {
    el(this.root, ".tt-tools").addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (button?.classList.contains("tt-show-table")) {
        this.onTable?.(button);
        return;
      }
      const how = button?.dataset.zoom;
      if (!how || !this.svg) return;
      this.auto = false;
      this.viewport.classList.toggle("tt-zoomed", !["width", "all"].includes(how));
      const vw = this.viewport.clientWidth, vh = this.viewport.clientHeight;
      if (how === "width") {
        this.zoomTo((vw - 16) / this.width);
        this.view.ty = 8;  // a tall graph from its top
        this.panBy(0, 0);
      } else if (how === "all") this.zoomTo(this.fitAll());
      else if (how === "actual") this.zoomTo(1);
      else this.zoomTo(this.view.scale * (how === "in" ? 1.25 : 0.8), vw / 2, vh / 2);
    });
    const pointers = new Map();
    let pinch = null, moved = 0;
    this.viewport.addEventListener("pointerdown", (event) => {
      pointers.set(event.pointerId, {x: event.clientX, y: event.clientY});
      moved = 0;
      if (pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        pinch = {distance: Math.hypot(a.x - b.x, a.y - b.y), scale: this.view.scale};
      }
    });
    this.viewport.addEventListener("pointermove", (event) => {
      const last = pointers.get(event.pointerId);
      if (!last) return;
      const now = {x: event.clientX, y: event.clientY};
      pointers.set(event.pointerId, now);
      if (pointers.size === 2 && pinch) {
        this.auto = false;
        this.viewport.classList.add("tt-zoomed");
        const [a, b] = [...pointers.values()];
        const rect = this.viewport.getBoundingClientRect();
        this.zoomTo(pinch.scale * Math.hypot(a.x - b.x, a.y - b.y) / pinch.distance,
          (a.x + b.x) / 2 - rect.left, (a.y + b.y) / 2 - rect.top);
        moved += 10;
        return;
      }
      moved += Math.abs(now.x - last.x) + Math.abs(now.y - last.y);
      if (moved > 4) {
        this.auto = false;
        if (!this.viewport.hasPointerCapture(event.pointerId)) this.viewport.setPointerCapture(event.pointerId);
        this.viewport.classList.add("tt-panning");
        this.panBy(now.x - last.x, now.y - last.y);
      }
    });
    const up = (event) => {
      const wasClick = pointers.size === 1 && moved <= 4;
      pointers.delete(event.pointerId);
      if (pointers.size < 2) pinch = null;
      this.viewport.classList.remove("tt-panning");
      if (wasClick && event.type === "pointerup") {
        const target = (event.target.closest && event.target.closest("[data-node]")) || null;
        const id = target ? target.getAttribute("data-node") : null;
        if (id && this.groups.get(id)) {
          this.current?.setAttribute("tabindex", "-1");
          this.current = this.groups.get(id);
          this.current.setAttribute("tabindex", "0");
        }
        this.focus(id);
      }
    };
    this.viewport.addEventListener("pointerup", up);
    this.viewport.addEventListener("pointercancel", up);
    this.viewport.addEventListener("wheel", (event) => {
      if (!this.svg) return;
      const rect = this.viewport.getBoundingClientRect();
      if (event.ctrlKey || event.metaKey || this.present) {  // (a trackpad pinch arrives as ctrl + wheel)
        event.preventDefault();
        this.auto = false;
        this.zoomTo(this.view.scale * Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left,
          event.clientY - rect.top);
      } else if (Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
        event.preventDefault();
        this.auto = false;
        this.panBy(-event.deltaX, 0);
      } else {
        this.box.classList.add("tt-hinting");  // the page scrolls; say how to zoom
        clearTimeout(this.hintTimer);
        this.hintTimer = setTimeout(() => this.box.classList.remove("tt-hinting"), 1200);
      }
    }, {passive: false});
    const tipFor = (event) => event.target.closest && event.target.closest("[data-node]");
    this.viewport.addEventListener("pointerover", (event) => this.showTip(tipFor(event)));
    this.viewport.addEventListener("pointerout", (event) => {
      if (!event.relatedTarget || !this.viewport.contains(event.relatedTarget)) this.showTip(null);
    });
    this.viewport.addEventListener("focusin", (event) => this.showTip(tipFor(event)));
    this.viewport.addEventListener("focusout", () => this.showTip(null));
    this.viewport.addEventListener("keydown", (event) => {
      const target = tipFor(event);
      if (!target) return;
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        const id = target.getAttribute("data-node");
        this.focus(this.focused === id ? null : id);
      } else if (event.key === "Escape") {
        this.focus(null);
      } else if (event.key.startsWith("Arrow")) {
        event.preventDefault();
        this.moveTo(this.nextBox(target, event.key));
      } else if (event.key === "Home" || event.key === "End") {
        event.preventDefault();
        this.moveTo(this.boxes[event.key === "Home" ? 0 : this.boxes.length - 1]);
      }
    });
    new ResizeObserver(() => {
      if (!this.svg) return;
      if (this.auto) this.autoFit();
      else this.panBy(0, 0);
    }).observe(this.viewport);
  }

  showTip(target) {
    if (!target) {
      this.tip.hidden = true;
      return;
    }
    const id = target.getAttribute("data-node");
    const node = this.meta.get(id);
    if (!node) return;
    const lines = [node.full];
    const numbers = this.numbersOf ? this.numbersOf(id) : null;
    const w = this.words, kind = w.kinds?.[node.kind] ?? node.kind;
    if (numbers) lines.push(fill(w.tip_numbers ?? "value {value}   grad {grad}", {value: numbers[0], grad: numbers[1]}));
    if (node.op) lines.push(fill(w.tip_result ?? "{kind}, the result of {op}", {kind, op: node.op}));
    else lines.push(kind);
    this.tip.textContent = lines.join("\n");
    this.tip.hidden = false;
    const rect = target.getBoundingClientRect(), outer = this.box.getBoundingClientRect();
    const left = Math.min(Math.max(0, rect.left - outer.left), Math.max(0, outer.width - this.tip.offsetWidth));
    this.tip.style.left = `${left}px`;
    this.tip.style.top = `${rect.bottom - outer.top + 6}px`;
  }

  focus(id) {
    // A clicked box: it, its inputs and the boxes that use it stand out; the rest fades.
    this.focused = id;
    for (const g of this.svg ? this.svg.querySelectorAll(".tt-focus, .tt-near") : []) {
      g.classList.remove("tt-focus", "tt-near");
    }
    this.svg?.classList.toggle("tt-focusing", !!id);
    if (id && this.svg) {
      const node = this.meta.get(id);
      const near = new Set([...(node?.inputs || []), ...(this.consumers.get(id) || [])]);
      this.groups.get(id)?.classList.add("tt-focus");
      this.groups.get(id + "_op")?.classList.add("tt-focus");
      this.groups.get("e_" + id)?.classList.add("tt-focus");
      for (const other of near) {
        this.groups.get(other)?.classList.add("tt-near");
      }
      for (const [gid, g] of this.groups) {
        const m = /^e_(n\d+)_(n\d+)_\d+$/.exec(gid);
        if (m && (m[2] === id || m[1] === id)) {
          g.classList.add("tt-near");
          if (m[1] === id) {
            this.groups.get(m[2] + "_op")?.classList.add("tt-near");
            this.groups.get("e_" + m[2])?.classList.add("tt-near");
          }
        }
      }
    }
    this.onFocus(id);
  }

  highlight(ids) {
    // The backprop page's current op: boxes, its circle and the edges between them, by class.
    if (!this.svg) return;
    for (const g of this.svg.querySelectorAll(".tt-hot")) g.classList.remove("tt-hot");
    const hot = new Set(ids);
    for (const id of hot) {
      this.groups.get(id)?.classList.add("tt-hot");
      this.groups.get(id + "_op")?.classList.add("tt-hot");
      this.groups.get("e_" + id)?.classList.add("tt-hot");
    }
    for (const [gid, g] of this.groups) {
      const m = /^e_(n\d+)_(n\d+)_\d+$/.exec(gid);
      if (m && hot.has(m[1]) && hot.has(m[2])) g.classList.add("tt-hot");
    }
  }

  write(textOf) {
    // textOf(id, "v" | "g") -> the number's text
    const words = {v: this.words.value ?? SLOT_WORDS.v, g: this.words.grad ?? SLOT_WORDS.g};
    for (const slot of this.slots || []) {
      const text = words[slot.which] + textOf(slot.id, slot.which);
      if (text !== slot.last) {
        slot.last = text;
        slot.node.data = text;
      }
    }
  }
}

class LiveView {
  constructor(root, component) {
    this.root = mount(root, VIEW_HTML);
    root = this.root;
    this.top = el(root, ".tt");
    this.slider = el(root, ".tt-slider");
    this.xText = el(root, ".tt-x-value");
    this.metrics = Object.fromEntries([...root.querySelectorAll(".tt-metric")].map((m) => [m.dataset.m, m]));
    this.plotBox = el(root, ".tt-plot");
    this.graph = new Graph(root, (id) => {
      this.publish({focus: id});
      this.table?.mark(id);
    });
    this.graph.numbersOf = (id) => this.numbersOf(id);
    el(root, ".tt-show-table").removeAttribute("aria-expanded");
    this.graph.onTable = (button) => this.showTable(button);
    this.k = 0;
    this.exact = null;  // the server's numbers at its x, while x is where the server put it
    this.dragging = false;
    this.pending = null;  // x sent to the server, not yet seen back
    this.sentK = null;
    this.keyTimer = null;
    this.overlay = new Marks(this.plotBox.parentElement);
    this.component = component;
    followTheme(this, () => this.blob && this.preparePlot(false));
    this.wire();
  }

  wire() {
    const s = this.slider;
    s.addEventListener("pointerdown", () => { this.dragging = true; });
    const release = () => {
      if (!this.dragging) return;
      this.dragging = false;
      this.commit();
    };
    // On the window: the pointer may be let go anywhere once the thumb is held.
    this.unwire = new AbortController();
    window.addEventListener("pointerup", release, {signal: this.unwire.signal});
    window.addEventListener("pointercancel", release, {signal: this.unwire.signal});
    s.addEventListener("input", () => this.move(Number(s.value)));
    s.addEventListener("keydown", () => {
      clearTimeout(this.keyTimer);
      this.keyTimer = setTimeout(() => { this.keyTimer = null; this.commit(); }, COMMIT_AFTER_KEYS_MS);
    });
  }

  destroy() {
    this.unwire.abort();
    clearTimeout(this.keyTimer);
    clearTimeout(this.legendTimer);
  }

  async update(data, component) {
    this.component = component;
    takeRender(this, data);
    const blob = await blobEntry(data.blob).ready;
    if (this.data !== data) return;  // newer data arrived while the blob decoded
    const fresh = this.blob !== blob;
    this.blob = blob;
    const h = blob.header;
    el(this.root, ".tt-bar").hidden = false;
    if (fresh) {
      [this.X, this.F, this.DF, this.D2F] = blob.floats;
      this.slider.max = String(blob.n - 1);
      this.columns = new Map(h.nodes.filter((n) => n.v !== undefined).map((n) => [n.id, n]));
      this.metrics.d2f.hidden = h.metrics.d2f === null;
      this.graph.load(blob, !!data.present);
      this.pending = null;
    }
    this.graph.present = !!data.present;
    // Where the server says x is: taken unless the student has moved x since the last release
    // (dragging, keys not yet paused, or a newer position not yet sent), or it answers an older
    // release than the one in flight. A server's own move (a narrower range) is taken too.
    const acknowledged = this.pending !== null && Math.abs(data.x - this.pending) <= 1e-12 * Math.max(1, Math.abs(data.x));
    if (acknowledged) this.pending = null;
    const moving = this.dragging || this.keyTimer !== null || this.k !== this.sentK;
    if (fresh || (!moving && this.pending === null && (acknowledged || data.x !== this.shownX))) {
      this.k = data.k;
      this.slider.value = String(data.k);
      this.sentK = data.k;
      this.shownX = data.x;
      this.exact = data.point;  // the engine's own numbers at exactly this x
      this.render();
    }
    this.preparePlot(fresh);
    requestAnimationFrame(() => this.graph.autoFit());
  }

  move(k) {
    if (!this.blob || k === this.k && !this.exact) return;
    this.k = k;
    this.exact = null;
    this.shownX = this.X[k];
    this.render();
  }

  commit() {
    clearTimeout(this.keyTimer);
    this.keyTimer = null;
    if (!this.blob || this.k === this.sentK) return;
    this.sentK = this.k;
    this.pending = this.X[this.k];
    this.component.setTriggerValue("x", this.pending);
  }

  text(column) {
    return column === null || column === undefined ? "—" : this.blob.text(column, this.k);
  }

  numbersOf(id) {
    if (this.exact) return this.exact.nodes[id] || null;
    const n = this.columns.get(id);
    return n ? [this.text(n.v), this.text(n.g), n.l.map((c) => this.text(c))] : null;
  }

  xLabel() {
    if (this.exact) return String(this.data.x);
    const x = this.X[this.k];
    const d = this.blob.header.decimals;
    return (Math.abs(x) < 0.5 * 10 ** -d ? 0 : x).toFixed(d);
  }

  render() {
    // The numbers now (graph, metrics, slider label), the plot at the next frame.
    const m = this.blob.header.metrics;
    const exact = this.exact;
    this.graph.write((id, which) => {
      const numbers = this.numbersOf(id);
      return numbers ? numbers[which === "v" ? 0 : 1] : "—";
    });
    const put = (name, text) => { this.metrics[name].querySelector(".tt-metric-value").textContent = text; };
    put("f", exact ? exact.f : this.text(m.f));
    put("df", exact ? exact.df : this.text(m.df));
    if (m.d2f !== null) put("d2f", exact ? (exact.d2f ?? "—") : this.text(m.d2f));
    const label = this.xLabel();
    this.xText.textContent = label;
    this.slider.setAttribute("aria-valuetext", `x = ${label}`);
    this.publish({});
    if (this.table && !this.table.wrap.hidden) this.table.show((id) => this.numbersOf(id), this.graph.focused);
    this.drawMarks();
  }

  showTable(button) {
    // The page's node table (the Playground's, under its switch), or one here in presenter mode.
    if (!this.data?.table) return toggleInlineTable(this, button, true);
    const ch = channel(this.blob.header.id);
    if (ch.table) ch.table.table.enter();
    else {
      ch.enter = true;  // the table mount takes the focus when it arrives
      this.component.setTriggerValue("table", true);
    }
  }

  publish(change) {
    if (!this.blob) return;
    this.state = {...(this.state || {}), ...change, view: this};
    publish(this.blob.header.id, this.state);
  }

  marks() {
    // The point and the tangent at x, as plots.function_figure draws them.
    if (this.exact) return this.exact.marks;
    const k = this.k, m = this.blob.header.metrics;
    const x = this.X[k], f = this.F[k], s = this.DF[k];
    const lo = this.X[0], hi = this.X[this.blob.n - 1];
    const ok = Number.isFinite(f) && Number.isFinite(s);
    return {
      point: {x: [x], y: [Number.isFinite(f) ? f : null], name: `f(${this.text(m.x)}) = ${this.text(m.f)}`},
      tangent: {x: ok ? [lo, hi] : [], y: ok ? [f + s * (lo - x), f + s * (hi - x)] : [],
        name: fill(this.data.words?.tangent ?? "tangent, slope {slope}", {slope: this.text(m.df)})},
    };
  }

  preparePlot(fresh) {
    const theme = this.top.dataset.theme;
    if (!fresh && this.plotTheme === theme && this.plotPresent === !!this.data.present) return;
    this.plotTheme = theme;
    this.plotPresent = !!this.data.present;
    const note = el(this.root, ".tt-plot-note");
    loadPlotly(this.data.plotly).then((Plotly) => {
      const h = this.blob.header;
      const figure = structuredClone(h.figure);
      for (const [path, value] of h.themes[theme] || []) {
        let target = figure;
        for (const key of path.slice(0, -1)) target = target[key];
        target[path[path.length - 1]] = value;
      }
      this.roles = {};
      figure.data.forEach((trace, i) => {
        if (trace.meta === "tangent") this.roles.tangent = i;  // lessons/live.py's mark_role
        else if (trace.meta === "point") this.roles.point = i;
      });
      // Plotly keeps the point and the tangent in its legend; the overlay draws them, since a
      // Plotly update redraws every trace (15 ms) and x moves at every frame.
      const {point, tangent} = this.marks();
      this.overlay.style(figure.data[this.roles.point], figure.data[this.roles.tangent]);
      Object.assign(figure.data[this.roles.point], {x: [null], y: [null], name: point.name});
      Object.assign(figure.data[this.roles.tangent], {x: [null, null], y: [null, null], name: tangent.name});
      this.legendNames = [point.name, tangent.name];
      const room = this.plotBox.clientHeight - parseFloat(getComputedStyle(this.plotBox).paddingTop);
      figure.layout.height = room > 0 ? room : undefined;  // (its top: the toolbar's strip)
      figure.layout.autosize = true;
      note.hidden = true;
      this.Plotly = Plotly;
      return Plotly.react(this.plotBox, figure.data, figure.layout,
        {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"]});
    }).then((gd) => {
      if (!gd) return;
      if (!gd.ttWired) {  // the axes move when Plotly redraws (resize, zoom): so do the marks
        gd.ttWired = true;
        gd.on("plotly_afterplot", () => this.drawMarks());
      }
      this.drawMarks();
    }).catch((error) => {
      note.hidden = false;
      note.textContent = fill(this.data.words?.plot_failed ?? "The plot could not be drawn here ({error}).",
        {error: error.message});
    });
  }

  keepPointInView(point) {
    // An automatic y range keeps the point in view (plots.function_figure does so for the first
    // position): once x rests outside it, the axis grows to take it in. A range the student set
    // stays as set. Not while dragging: a relayout redraws every trace.
    const ya = this.plotBox._fullLayout?.yaxis, y = point.y[0];
    if (!this.data.auto_y || this.dragging || !ya || y === null || !Number.isFinite(y)) return;
    const lo = Math.min(...ya.range), hi = Math.max(...ya.range);
    if (y >= lo && y <= hi) return;
    const pad = 0.08 * (Math.max(hi, y) - Math.min(lo, y));
    this.Plotly.relayout(this.plotBox, {"yaxis.range": [Math.min(lo, y - pad), Math.max(hi, y + pad)]});
  }

  drawMarks() {
    if (!this.roles || !this.plotBox._fullLayout) return;
    const marks = this.marks();
    this.overlay.draw(this.plotBox, marks);
    this.keepPointInView(marks.point);
    // The legend's numbers follow when x rests: renaming makes Plotly redraw everything.
    clearTimeout(this.legendTimer);
    const names = [marks.point.name, marks.tangent.name];
    if (names[0] !== this.legendNames[0] || names[1] !== this.legendNames[1]) {
      this.legendTimer = setTimeout(() => {
        this.legendNames = names;
        this.Plotly.restyle(this.plotBox, {name: names}, [this.roles.point, this.roles.tangent]);
      }, this.dragging ? 600 : 250);
    }
  }
}


class Marks {
  // The point (with its coordinates beside it) and the tangent, drawn over Plotly's plot area
  // on the plot's own axes.
  constructor(box) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "tt-marks");
    svg.innerHTML = `<defs><clipPath id="tt-marks-clip"><rect/></clipPath></defs>
      <g clip-path="url(#tt-marks-clip)"><line class="tt-tangent"/><circle class="tt-point"/></g>
      <rect class="tt-point-plate" rx="4"/><text class="tt-point-label"></text>`;
    box.append(svg);
    this.svg = svg;
    this.clip = svg.querySelector("rect");
    this.line = svg.querySelector(".tt-tangent");
    this.dot = svg.querySelector(".tt-point");
    this.label = svg.querySelector(".tt-point-label");
    this.plate = svg.querySelector(".tt-point-plate");
  }

  style(point, tangent) {
    const line = tangent.line || {}, marker = point.marker || {};
    const dashes = {dot: "2 4", dash: "8 4", dashdot: "8 4 2 4", longdash: "14 4", longdashdot: "14 4 2 4"};
    Object.assign(this.line.style, {stroke: line.color, strokeWidth: line.width ?? 2,
      strokeDasharray: dashes[line.dash] || "none"});
    Object.assign(this.dot.style, {fill: marker.color, stroke: marker.line?.color, strokeWidth: marker.line?.width ?? 0});
    this.dot.setAttribute("r", String((marker.size ?? 10) / 2));
  }

  draw(gd, {point, tangent}) {
    const layout = gd._fullLayout, xa = layout.xaxis, ya = layout.yaxis;
    if (!xa || !ya) return;
    const px = (v) => xa._offset + xa.l2p(v), py = (v) => ya._offset + ya.l2p(v);
    this.svg.setAttribute("width", layout.width);
    this.svg.setAttribute("height", layout.height);
    Object.entries({x: xa._offset, y: ya._offset, width: xa._length, height: ya._length})
      .forEach(([k, v]) => this.clip.setAttribute(k, v));
    const hasTangent = tangent.x.length === 2 && tangent.y.every((v) => v !== null && Number.isFinite(v));
    this.line.style.display = hasTangent ? "" : "none";
    if (hasTangent) {
      this.line.setAttribute("x1", px(tangent.x[0]));
      this.line.setAttribute("y1", py(tangent.y[0]));
      this.line.setAttribute("x2", px(tangent.x[1]));
      this.line.setAttribute("y2", py(tangent.y[1]));
    }
    const y = point.y[0];
    const shown = y !== null && Number.isFinite(y) && y >= Math.min(...ya.range) && y <= Math.max(...ya.range);
    this.dot.style.display = this.label.style.display = this.plate.style.display = shown ? "" : "none";
    if (shown) {
      const cx = px(point.x[0]), cy = py(y);
      this.dot.setAttribute("cx", cx);
      this.dot.setAttribute("cy", cy);
      this.label.textContent = point.name;
      const right = cx > xa._offset + xa._length * 0.75;  // near the right edge: label to the left
      this.label.setAttribute("x", right ? cx - 14 : cx + 14);
      this.label.setAttribute("text-anchor", right ? "end" : "start");
      this.label.setAttribute("y", cy < ya._offset + 24 ? cy + 28 : cy - 14);
      const box = this.label.getBBox();  // a plate under the text, so the curves do not cross it
      Object.entries({x: box.x - 4, y: box.y - 1, width: box.width + 8, height: box.height + 2})
        .forEach(([k, v]) => this.plate.setAttribute(k, v));
    }
  }
}

class GraphView {
  constructor(root) {
    this.root = mount(root, VIEW_HTML);
    root = this.root;
    this.top = el(root, ".tt");
    el(root, ".tt-bar").remove();
    el(root, ".tt-plot-box").remove();
    this.graph = new Graph(root, (id) => this.table?.mark(id));
    this.graph.numbersOf = (id) => this.data?.nodes[id] || null;
    this.graph.onTable = (button) => toggleInlineTable(this, button, false);  // no table on these pages
    followTheme(this);
  }

  async update(data) {
    takeRender(this, data);
    const blob = await blobEntry(data.blob).ready;
    if (this.data !== data) return;
    if (this.blob !== blob && this.table) this.table.build(blob);
    this.blob = blob;
    this.graph.load(blob, !!data.present);
    this.graph.write((id, which) => {
      const numbers = data.nodes[id];
      return numbers ? numbers[which === "v" ? 0 : 1] : "—";
    });
    this.table?.show((id) => this.graph.numbersOf(id), this.graph.focused);
    this.graph.highlight(data.highlight || []);
    requestAnimationFrame(() => this.graph.autoFit());
  }
}

function toggleInlineTable(owner, button, locals) {
  // A page without a node table of its own: the graph's button shows one under the graph.
  if (!owner.blob) return;
  if (!owner.table) {
    const graph = owner.graph;
    owner.table = new NodeTable(owner.top, locals, (id) => graph.focus(graph.focused === id ? null : id));
    owner.table.localize(graph.words);
    owner.table.build(owner.blob);
    owner.table.wrap.hidden = true;
  }
  const open = owner.table.wrap.hidden;
  owner.table.wrap.hidden = !open;
  button.setAttribute("aria-expanded", String(open));
  if (open) {
    owner.table.show((id) => owner.graph.numbersOf(id), owner.graph.focused);
    owner.table.enter();
  }
}

class NodeTable {
  // Rows of the graph's nodes in `parent`; `locals`: with the local derivatives column;
  // `onPick(id)`: a row was clicked, or Enter pressed on it.
  constructor(parent, locals, onPick) {
    const holder = document.createElement("div");
    holder.innerHTML = NODE_TABLE_HTML;  // our own constant markup
    this.wrap = holder.firstElementChild;
    parent.append(this.wrap);
    this.wrap.setAttribute("aria-label", "Every node as a table");
    this.body = el(this.wrap, "tbody");
    this.locals = locals;
    this.words = {};
    if (!locals) for (const cell of this.wrap.querySelectorAll('th[data-col="4"]')) cell.remove();
    this.body.addEventListener("click", (event) => {
      const tr = event.target.closest("tr");
      if (tr) {
        this.rove(tr);
        onPick(tr.dataset.node);
      }
    });
    this.body.addEventListener("keydown", (event) => {
      const tr = event.target.closest("tr");
      if (!tr) return;
      const rows = [...this.body.rows];
      const at = rows.indexOf(tr);
      const to = {ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: rows.length - 1}[event.key];
      if (to !== undefined) {
        event.preventDefault();
        const next = rows[Math.min(Math.max(to, 0), rows.length - 1)];
        this.rove(next);
        next.focus();
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        onPick(tr.dataset.node);
      }
    });
  }

  localize(words) {
    // The table's words in the reader's language (ui/live.py's words()): its headers by column,
    // its caption and name, and each row's kind.
    this.words = words || {};
    const columns = this.words.columns || [];
    for (const th of this.wrap.querySelectorAll("th[data-col]")) th.textContent = columns[th.dataset.col] ?? th.textContent;
    if (this.words.table_caption) el(this.wrap, "caption").textContent = this.words.table_caption;
    if (this.words.table_button) this.wrap.setAttribute("aria-label", this.words.table_button);
    for (const row of this.rows?.values() ?? []) row.cells.kind.textContent = this.words.kinds?.[row.kind] ?? row.kind;
  }

  rove(tr) {
    for (const row of this.body.rows) row.tabIndex = row === tr ? 0 : -1;
  }

  enter() {
    // Into the table: its rows' tab stop takes the focus.
    this.wrap.scrollIntoView({block: "nearest"});
    (this.body.querySelector('tr[tabindex="0"]') || this.wrap).focus({preventScroll: true});
  }

  build(blob) {
    const nodes = blob.header.nodes;
    const labels = new Map(nodes.map((n) => [n.id, n.label]));
    this.rows = new Map();
    this.body.replaceChildren();
    const parts = this.locals ? ["label", "kind", "op", "value", "local", "grad"] : ["label", "kind", "op", "value", "grad"];
    for (const n of nodes) {
      const tr = document.createElement("tr");
      tr.dataset.node = n.id;
      tr.tabIndex = this.body.rows.length ? -1 : 0;
      const cells = Object.fromEntries(parts.map((part) => [part, tr.insertCell()]));
      cells.label.textContent = n.label;
      cells.label.title = n.full;
      cells.kind.textContent = this.words.kinds?.[n.kind] ?? n.kind;
      cells.op.textContent = n.op;
      if (n.kind === "constant") {
        cells.value.textContent = n.value ?? "";
        cells.grad.textContent = "—";
      }
      this.rows.set(n.id, {tr, cells, kind: n.kind, inputs: n.inputs.map((i) => labels.get(i))});
      this.body.append(tr);
    }
  }

  show(numbersOf, focus) {
    for (const [id, row] of this.rows) {
      const numbers = numbersOf(id);
      if (numbers) {
        row.cells.value.textContent = numbers[0];
        row.cells.grad.textContent = numbers[1];
        if (row.cells.local) {
          row.cells.local.textContent = row.inputs.map((label, i) => `∂/∂${label} = ${numbers[2][i] ?? "—"}`).join("; ");
        }
      }
    }
    this.mark(focus);
  }

  mark(focus) {
    // The box traced in the graph: its row stands out, in view.
    for (const [id, row] of this.rows) row.tr.classList.toggle("tt-focus", focus === id);
    if (focus) this.rows.get(focus)?.tr.scrollIntoView({block: "nearest"});
  }
}

class Table {
  constructor(root) {
    this.root = mount(root, TABLE_HTML);
    this.top = el(this.root, ".tt");
    this.table = new NodeTable(this.top, true, (id) => {
      const graph = this.state?.view?.graph;
      if (graph) graph.focus(graph.focused === id ? null : id);
    });
    this.listener = (state) => this.show(state);
    followTheme(this);
  }

  async update(data) {
    this.top.dataset.theme = pageTheme();
    this.table.localize(data.words);
    const blob = await blobEntry(data.blob).ready;
    if (this.key !== data.blob) {
      if (this.key) channel(this.key).listeners.delete(this.listener);
      this.key = data.blob;
      this.table.build(blob);
      const ch = channel(this.key);
      ch.listeners.add(this.listener);
      ch.table = this;
      if (ch.state) this.show(ch.state);
      if (ch.enter) {  // opened by the graph's "Every node as a table": the focus goes into it
        ch.enter = false;
        this.table.enter();
      }
    }
  }

  show(state) {
    this.state = state;
    this.table.show((id) => state.view.numbersOf(id), state.focus);
  }
}

function mountView(component) {
  const {data, parentElement} = component;
  if (!data || typeof data !== "object") return undefined;
  let view = views.get(parentElement);
  const Kind = {live: LiveView, graph: GraphView, table: Table}[data.role];
  if (!Kind) return undefined;
  if (!(view instanceof Kind)) {
    view = new Kind(parentElement, component);
    views.set(parentElement, view);
  }
  view.update(data, component).catch((error) => console.warn("tinytorch live view:", error));
  return () => {  // (Streamlit calls the last cleanup when the element goes away)
    themeFollowers.delete(view.followTheme);
    if (view instanceof Table && view.key) {
      const ch = channel(view.key);
      ch.listeners.delete(view.listener);
      if (ch.table === view) ch.table = null;
    }
    if (view instanceof LiveView) view.destroy();
  };
}

export default function (component) {
  const {data, parentElement} = component;
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) return receiveBlob(data, parentElement);
  return mountView(component);
}

// The small mounts wait in a queue until this module has loaded with the first blob.
const hub = (window.__tinytorchLive ??= {queue: []});
hub.mount = mountView;
for (const waiting of hub.queue.splice(0)) waiting(mountView);
