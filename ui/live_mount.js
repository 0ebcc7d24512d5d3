// A live-view mount (ui/live.py): hands its component to ui/live.js, which the page's blob mount
// loads. Kept this small because Streamlit sends a component's code with every rerun of it.
export default function (component) {
  const hub = (window.__tinytorchLive ??= {queue: []});
  if (hub.mount) return hub.mount(component);
  let cleanup = null, gone = false;
  hub.queue.push((mount) => { if (!gone) cleanup = mount(component); });
  return () => { gone = true; if (typeof cleanup === "function") cleanup(); };
}
