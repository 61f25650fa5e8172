"""Accessibility checks of a page in the browser tests, with the vendored axe-core.

The pages' Content-Security-Policy refuses inline scripts, so `page.add_script_tag` cannot load
axe; `page.evaluate` runs its source through the browser's debugging protocol instead, which the
policy does not govern, and the pages' own behaviour stays exactly what users get.
"""

from functools import cache
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# The impacts a page must never show; "moderate" and "minor" findings are reviewed by hand.
BLOCKING_IMPACTS = ("serious", "critical")

RUN_AXE = """async () => {
  const results = await window.axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  }));
}"""


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def blocking_violations(page) -> list[dict]:
    """The serious and critical axe-core violations of what `page` shows now."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(axe_source())
    return [
        violation for violation in page.evaluate(RUN_AXE) if violation["impact"] in BLOCKING_IMPACTS
    ]


def describe(violations: list[dict]) -> str:
    """One line per violation: its rule, impact, what it asks for and the elements at fault."""
    return "\n".join(
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(violation["targets"])
        for violation in violations
    )


# The innermost elements that reach past the window's right edge, each named by its tag, id and
# classes; none inside a box that scrolls on its own.
FIND_OVERFLOW = """() => {
  const name = (element) => element.tagName.toLowerCase()
    + (element.id ? `#${element.id}` : "")
    + [...element.classList].map((token) => `.${token}`).join("");
  const scrollsItself = (element) => ["auto", "scroll", "hidden"].includes(
    getComputedStyle(element).overflowX);
  const found = [];
  const walk = (element) => {
    for (const child of element.children) {
      const right = child.getBoundingClientRect().right;
      const before = found.length;
      if (!scrollsItself(child)) walk(child);
      if (found.length === before && right > window.innerWidth + 0.5) {
        found.push(`${name(child)} (right edge at ${Math.round(right)} px)`);
      }
    }
  };
  if (document.documentElement.scrollWidth > window.innerWidth) walk(document.body);
  return found;
}"""


def horizontal_overflow(page) -> list[str]:
    """What makes the page itself wider than the window (nothing when it fits)."""
    return page.evaluate(FIND_OVERFLOW)
