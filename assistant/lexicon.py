"""The parameter lexicon: parameter descriptions already written in the repository, by
parameter name.

The pipeline no longer describes a parameter from it: a description found by name alone
may have been written for something else (click's ``Context.get_parameter_source`` once got
``name: The name of the group command.``). Drafted descriptions come from related symbols
only (:mod:`assistant.paramevidence`); the lexicon stays as part of the cached convention
scan (:mod:`assistant.conventions`) and for callers that want the repository's prose by
name.
"""

from __future__ import annotations

from collections import Counter

from assistant.styles import detect_docstring_style
from assistant.styles import find_params as find_doc_params
from assistant.summaries import split_identifier
from indexer.symbols import Parameter


def humanize(name: str) -> str:
    """``max_retries`` -> ``Max retries.``"""
    words = split_identifier(name) or [name]
    text = " ".join(words)
    return text[:1].upper() + text[1:] + "."


class ParamLexicon:
    """Parameter descriptions already written in the repository, by parameter name.

    A parameter documented elsewhere in the repository under the same name gets that
    description (the most common one): real prose from the repo, never invented.
    """

    def __init__(self) -> None:
        self._seen: dict[str, Counter[str]] = {}

    def add_docstring(self, docstring: str | None, default_style: str = "google") -> None:
        """Learn the parameter descriptions of one existing docstring."""
        if not docstring:
            return
        style = detect_docstring_style(docstring)
        if style is None:
            return
        block = find_doc_params(docstring, style)
        for entry in block.entries if block else []:
            if entry.description:
                self._seen.setdefault(entry.bare_name, Counter())[entry.description] += 1

    def to_dict(self) -> dict[str, str]:
        """The most common description of each parameter name (JSON-ready)."""
        return {name: seen.most_common(1)[0][0] for name, seen in self._seen.items()}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> ParamLexicon:
        """Rebuild a lexicon from :meth:`to_dict` output."""
        lexicon = cls()
        for name, description in data.items():
            lexicon._seen[str(name)] = Counter({str(description): 1})
        return lexicon

    def lookup(self, name: str) -> str | None:
        """Return the most common description of parameter ``name``, if any."""
        seen = self._seen.get(name.lstrip("*"))
        return seen.most_common(1)[0][0] if seen else None

    def describe(self, param: Parameter) -> str:
        """Return a description: the repository's own by name alone, else one made from the
        name (not fitted to ``param``: see :func:`assistant.styles.build.fits`)."""
        found = self.lookup(param.name)
        if found:
            return found
        if param.kind == "var_positional":
            return "Additional positional arguments."
        if param.kind == "var_keyword":
            return "Additional keyword arguments."
        return humanize(param.name.lstrip("*"))
