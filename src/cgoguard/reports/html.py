"""HTML report: one self-contained page (no network) for people.

The page embeds the very document the JSON reporter writes (the same
``artifact_to_dict``/``finding_to_dict`` projection, produced by a
:class:`JsonReporter` writing to memory), plus its own CSS and vanilla JS
from ``cgoguard/data/html/``. The script renders the summary, the hardening
matrix, the findings (filter, sort, search), drill-downs and, when a run
carries ``evidence`` (``comply``), the controls. Nothing from a scanned file
is ever parsed as HTML: the data sits in a ``<script type="application/json">``
with every ``<`` escaped, and the script builds the page with ``textContent``.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from importlib import resources
from typing import IO, Any

from cgoguard.model import Artifact, Item
from cgoguard.reports import ReportContext, Reporter, RunTotals
from cgoguard.reports.htmlstrings import STRINGS
from cgoguard.reports.jsonreport import JsonReporter, artifact_json
from cgoguard.reports.labels import label

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_HTML_LANG = {"en": "en", "zh": "zh-Hans"}


def script_json(text: str) -> str:
    """JSON text that is safe inside a ``<script>`` element. In JSON a ``<`` can only
    stand inside a string, where ``\\u003c`` means the same, so ``</script>`` and
    ``<!--`` from a scanned file can neither end the element nor open a comment."""
    return text.replace("<", "\\u003c")


def _asset(name: str) -> str:
    text = resources.files("cgoguard.data").joinpath(f"html/{name}").read_text("utf-8")
    if name != "report.html" and "</" in text.replace("<\\/", ""):
        # Inlined into <style>/<script>: a closing tag inside would end the element early.
        raise ValueError(f"cgoguard/data/html/{name} must not contain '</'")
    return text


# The words the page shares with the other human-readable reports (comply's evidence).
SHARED_LABELS = (
    "disclaimer",
    "texts",
    "official-verified",
    "secondary-copy",
    "paraphrase",
    "gaps",
    "evidenced",
    "not-evaluated",
    "not-addressable",
    "partly-evaluated",
    "satisfies",
    "partially-satisfies",
    "supports",
    "none",
    "passed",
    "failed",
    "reported",
    "not-applicable",
    "result",
    "grade",
    "checks",
    "why_not",
    "assessor",
)


def strings_for(lang: str) -> dict[str, str]:
    """The page's UI strings in ``lang`` (English for a language without a table), with the
    shared labels of :mod:`cgoguard.reports.labels` as ``label:<key>``."""
    strings = dict(STRINGS.get(lang, STRINGS["en"]))
    strings.update({f"label:{key}": label(key, lang) for key in SHARED_LABELS})
    return strings


def render_page(document: str, lang: str = "en", command: str = "scan") -> str:
    """The page around ``document`` (a JSON report text of ``command``)."""
    strings = strings_for(lang)
    values = {
        "context": script_json(json.dumps({"command": command, "lang": lang})),
        "lang": _HTML_LANG.get(lang, "en"),
        "title": strings["title"],
        "noscript": strings["noscript"],
        "style": _asset("report.css"),
        "strings": script_json(json.dumps(strings)),
        "data": script_json(document.strip()),
        "script": _asset("report.js"),
    }
    # One pass over the skeleton only: nothing substituted is scanned again.
    return _PLACEHOLDER.sub(lambda match: values[match[1]], _asset("report.html"))


class HtmlReporter(Reporter):
    """The JSON document, collected in memory (the page is written whole at the end:
    its data must be complete before the script reads it), embedded in the page."""

    name = "html"

    def __init__(self, out: IO[str], context: ReportContext) -> None:
        super().__init__(out, context)
        self.document = io.StringIO()
        self.json = JsonReporter(self.document, context)

    def prerender(self) -> Callable[[Artifact], str]:
        return artifact_json

    def add(self, item: Item) -> None:
        self.json.add(item)

    def finish(self, totals: RunTotals) -> None:
        self.json.finish(totals)
        self.out.write(render_page(self.document.getvalue(), self.context.lang, self.context.command))


def page_document(page: str) -> Any:
    """The JSON document embedded in a page this reporter wrote (for tools and tests)."""
    match = re.search(r'<script id="cg-data" type="application/json">(.*?)</script>', page, re.S)
    if match is None:
        raise ValueError("not a cgoguard HTML report: no embedded data")
    return json.loads(match[1])
