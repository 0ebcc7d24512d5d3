"""One visitor must not cost the others: Streamlit's `clear_cache` message, which any websocket
client can send, must leave our shared caches alone.

The test runs a probe in a process of its own (this file as a script): it starts the app's
server inside that process, so that it can read the caches, and talks to it over the websocket
with Streamlit's own protobuf messages (benchmarks/protocol.py), as three browser tabs would.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
LONG = "+".join(f"sin({k}*x)" for k in range(1, 30))  # 87 ops: its graph is worth keeping


def test_clear_cache_from_any_client_leaves_other_sessions_cached_results():
    done = subprocess.run([sys.executable, __file__], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    # The clear_cache message was acted on: Streamlit's own cache (playground.py's imports) was emptied...
    assert probe["streamlit_entries_before"] > 0 and probe["streamlit_entries_after_clear"] == 0
    # ...but the live view (graph and numbers), the curve and the parsed function another tab had
    # were not: all hits.
    assert probe["ours_after_clear"] == probe["ours_before"]
    for name in ("parsed", "live_blob", "sampled"):
        before, after = probe["info_before"][name], probe["info_after"][name]
        assert after["misses"] == before["misses"] and after["hits"] > before["hits"], name
    assert probe["errors"] == []


async def _probe() -> dict:
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
    from protocol import Tab, serve_here
    from streamlit.runtime.caching import cache_resource_api

    from ui.cache import CACHES

    port = serve_here()

    def info() -> dict:
        return {name: CACHES[name].cache_info()._asdict() for name in ("parsed", "live_blob", "sampled")}

    def streamlit_entries() -> int:
        return len(cache_resource_api._resource_caches.get_stats())

    link = urlencode({"f": LONG, "x": "0.5"})
    first, attacker, second = [await Tab.open(port) for _ in range(3)]
    runs = [await attacker.rerun(), await first.rerun(query=link)]
    before, ours_before, st_before = info(), {n: len(c.cache) for n, c in CACHES.items()}, streamlit_entries()
    await attacker.clear_cache()
    for _ in range(100):  # the message is handled on the server's loop: wait until it has been
        if streamlit_entries() == 0:
            break
        await asyncio.sleep(0.05)
    st_after = streamlit_entries()
    ours_after = {n: len(c.cache) for n, c in CACHES.items()}
    runs.append(await second.rerun(query=link))  # another student opens the same link
    after = info()
    for tab in (first, attacker, second):
        await tab.close()
    return {"streamlit_entries_before": st_before, "streamlit_entries_after_clear": st_after,
            "ours_before": ours_before, "ours_after_clear": ours_after, "info_before": before, "info_after": after,
            "errors": [e for run in runs for e in run.exceptions] + [r.status for r in runs if r.status != "ok"]}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_probe())))
