"""What several browser tests check: reruns of the script, colour contrast, and axe-core.

axe-core is the axe-core npm package's axe.min.js, as the axe-playwright-python package (a dev
dependency) ships it: installed with requirements-dev.txt, read from disk, never fetched.
"""

from __future__ import annotations

from axe_playwright_python.base import AXE_FILE_PATH

# Every change of the script's state, by the value it left (a short run can go from running back
# to notRunning before an observer reads the attribute: the records keep both).
WATCH_RERUNS_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__ttStates = [];
  new MutationObserver((records) => records.forEach((r) => window.__ttStates.push(r.oldValue)))
    .observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
}"""
RERUNS_JS = "() => window.__ttStates.filter((s) => s === 'running').length"  # runs that ended


def watch_reruns(app) -> None:
    app.page.evaluate(WATCH_RERUNS_JS)
    app.rerun_mark = app.reruns_asked()


def reruns(app) -> int:
    """Reruns since watch_reruns: those the tab asked the server for (its websocket messages), and
    never fewer than the page showed running (a short run can go unseen on the page, not a message)."""
    return max(app.reruns_asked() - app.rerun_mark, app.page.evaluate(RERUNS_JS))


def rgb(text: str) -> tuple[float, ...]:
    """"#rrggbb" or "rgb(r, g, b)" as three numbers from 0 to 255."""
    if text.startswith("#"):
        return tuple(int(text[i:i + 2], 16) for i in (1, 3, 5))
    return tuple(float(v) for v in text[text.index("(") + 1:text.index(")")].split(",")[:3])


def contrast(a: str, b: str) -> float:
    """WCAG's contrast ratio of two colours."""
    def luminance(colour):
        c = [v / 255 for v in rgb(colour)]
        c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


AXE_SCRIPT = AXE_FILE_PATH.read_text(encoding="utf-8")
SERIOUS = ("serious", "critical")


def axe_version(page) -> str:
    page.evaluate(AXE_SCRIPT)
    return page.evaluate("() => axe.version")


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (every rule axe runs by default: WCAG 2.x
    A and AA, and its best practices)."""
    if not page.evaluate("() => typeof axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    return page.evaluate("() => axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations)")


def describe(violations: list[dict]) -> str:
    """Each violation: its rule, impact and up to three of the elements, with axe's summary."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:3]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            lines.append(f"      {(node.get('failureSummary') or '').splitlines()[-1:]}")
    return "\n".join(lines)
