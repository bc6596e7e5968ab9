"""Human-readable text in Chinese beside the English: what ``--lang zh`` reports look up.

A leaf: it reads only its own data file (``data/catalogue-zh.yaml``, check ID -> title), so reporters,
the CLI and the mappings can all import it. Clause texts of a framework are not translated anywhere:
they stay in the language of the standard.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

LANGUAGES = ("en", "zh")


@cache
def _titles_zh() -> dict[str, str]:
    text = resources.files("cgoguard.data").joinpath("catalogue-zh.yaml").read_text("utf-8")
    titles: dict[str, str] = yaml.safe_load(text)
    return titles


def catalogue_ids_zh() -> frozenset[str]:
    """The check IDs that have a Chinese title."""
    return frozenset(_titles_zh())


def title_zh(check_id: str) -> str:
    """The check's title in Chinese; "" for a check the shipped catalogue does not know (a plug-in's),
    so that a caller falls back to the English title."""
    return _titles_zh().get(check_id, "")
