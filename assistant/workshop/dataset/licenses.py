"""Decide from package metadata whether a package's code may be used for training.

Only permissive licenses are kept (MIT, BSD, Apache, PSF, ISC, Unlicense, zlib, ...).
The decision reads, in this order: the SPDX ``License-Expression`` field, the
``License :: ...`` trove classifiers, and the free-text ``License`` field. Anything
unknown, copyleft (GPL family, MPL, EPL, ...) or proprietary is rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import Parser

_PERMISSIVE = re.compile(
    r"\b(mit|x11|expat|bsd|freebsd|0bsd|apache|psf|python software foundation|python-2\.0|"
    r"isc|unlicense|zlib|zpl|zope public|hpnd|historical permission|cc0|public domain|"
    r"wtfpl|boost|bsl-1\.0|ncsa|university of illinois|postgresql|upl|mit-cmu|"
    r"python license|dfsg approved)\b",
    re.IGNORECASE,
)
_COPYLEFT = re.compile(
    r"\b(a?gpl|lgpl|gnu|mpl|mozilla|epl|eclipse|cddl|osl|eupl|cecill|sspl|"
    r"commons clause|proprietary|other/proprietary|non-commercial|cc-by-nc|cc-by-sa)\b",
    re.IGNORECASE,
)


@dataclass(slots=True, frozen=True)
class LicenseDecision:
    """Outcome of the license check.

    Attributes:
        license: The license as declared (expression, classifier or text), shortened.
        permissive: True when the package may be used.
        source: Which metadata field decided (``expression``, ``classifier``, ``text``,
            ``none``).
    """

    license: str
    permissive: bool
    source: str


def _spdx_permissive(expression: str) -> bool:
    """Return True if some OR-branch of an SPDX expression is all-permissive."""
    expression = expression.replace("(", " ").replace(")", " ")
    for branch in re.split(r"\s+OR\s+", expression, flags=re.IGNORECASE):
        parts = [p.strip() for p in re.split(r"\s+AND\s+", branch, flags=re.IGNORECASE)]
        parts = [re.sub(r"\s+WITH\s+.*", "", p, flags=re.IGNORECASE) for p in parts if p]
        if parts and all(_PERMISSIVE.search(p) and not _COPYLEFT.search(p) for p in parts):
            return True
    return False


def _classifier_decision(classifiers: list[str]) -> LicenseDecision | None:
    names = [c.split("::")[-1].strip() for c in classifiers if c.startswith("License ::")]
    names = [n for n in names if n not in ("OSI Approved",)]
    if not names:
        return None
    label = "; ".join(names)
    permissive = any(_PERMISSIVE.search(n) and not _COPYLEFT.search(n) for n in names)
    return LicenseDecision(label[:120], permissive, "classifier")


def decide_license(metadata: Message | str | None) -> LicenseDecision:
    """Classify a package's license from its core metadata (METADATA or PKG-INFO).

    Args:
        metadata: The parsed metadata, its raw text, or None when the archive has none.

    Returns:
        The decision; unknown licenses are not permissive.
    """
    if metadata is None:
        return LicenseDecision("unknown", False, "none")
    if isinstance(metadata, str):
        metadata = Parser().parsestr(metadata, headersonly=True)
    expression = (metadata.get("License-Expression") or "").strip()
    if expression:
        return LicenseDecision(expression[:120], _spdx_permissive(expression), "expression")
    decision = _classifier_decision(metadata.get_all("Classifier") or [])
    if decision is not None:
        return decision
    text = (metadata.get("License") or "").strip()
    if text and text.upper() not in ("UNKNOWN", "NONE"):
        head = text.splitlines()[0][:120]
        if _COPYLEFT.search(text[:400]):
            return LicenseDecision(head, False, "text")
        return LicenseDecision(head, bool(_PERMISSIVE.search(text[:400])), "text")
    return LicenseDecision("unknown", False, "none")
