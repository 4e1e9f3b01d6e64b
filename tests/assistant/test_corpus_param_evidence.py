"""Parameter descriptions borrowed from the shipped corpus (issue #12): only from a corpus
neighbour above the fitted threshold whose parameter of the same name the code has the
same way (kind, annotation, default), last after every repository source, and never one
that contradicts the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.callees import CalleeResolver
from assistant.corpus import CorpusHit
from assistant.faithfulness import code_facts
from assistant.paramevidence import CORPUS_THRESHOLD, SOURCES, ParamEvidence
from assistant.target import Target
from indexer.parser import parse_source
from indexer.text import symbol_source

CODE = '''
class Client:
    def get(self, url: str, timeout: float = 5.0, retries=3, params=None):
        """Fetch a resource.

        Args:
            url: The address of the resource.
            timeout: Seconds to wait.
            retries: How often to retry.
            params: Query parameters.
        """
        return self.session.send(url, timeout)

    def post(self, url: str, data: bytes, timeout: float = 5.0, retries=3, params=None):
        return self.session.send(url, data, timeout)


def fetch(url: str, timeout: float = 5.0, retries=3, params=None, verbose: bool = False):
    return url, timeout, retries, params, verbose
'''

HIGH = min(1.0, CORPUS_THRESHOLD + 0.05)


def _hit(params: dict[str, str], signatures: dict[str, list], similarity: float = HIGH):
    return CorpusHit("pkg-x", "download", "Download a file.", params, similarity, signatures)


def _describe(tmp_path: Path, hits: list[CorpusHit], qualname: str = "fetch"):
    rel = "net.py"
    (tmp_path / rel).write_text(CODE)
    source = CODE.encode()
    parsed = parse_source(source, rel)
    symbol = next(s for s in parsed.symbols if s.qualname == qualname)
    target = Target(rel, source, parsed, symbol, symbol_source(source, symbol))
    evidence = ParamEvidence(
        tmp_path, CalleeResolver(lambda: None, lambda _: None), corpus=lambda _: hits
    )
    describer = evidence.describer(target, "google", code_facts(symbol, target.code))
    by_name = {p.name: p for p in symbol.parameters}
    return evidence, describer, by_name


def test_corpus_is_a_source_after_every_repository_source() -> None:
    assert SOURCES.index("corpus") == SOURCES.index("neighbour") + 1
    assert SOURCES[-2:] == ("neutral", "empty")


def test_a_compatible_parameter_of_a_close_corpus_neighbour_lends_its_description(tmp_path):
    hit = _hit(
        {"timeout": "Seconds to wait for the server.", "verbose": "Print progress."},
        {"timeout": ["positional", "float", "5.0"], "verbose": ["positional", "bool", "False"]},
    )
    _, describe, params = _describe(tmp_path, [hit])
    assert describe(params["timeout"]) == "Seconds to wait for the server."
    assert describe(params["verbose"]) == "Print progress."
    assert describe.chosen["timeout"].source == "corpus"
    assert describe.chosen["timeout"].detail.startswith("pkg-x:download")


def test_below_the_threshold_nothing_is_borrowed(tmp_path) -> None:
    hit = _hit(
        {"timeout": "Seconds to wait for the server."},
        {"timeout": ["positional", "float", "5.0"]},
        similarity=CORPUS_THRESHOLD - 0.01,
    )
    _, describe, params = _describe(tmp_path, [hit])
    assert describe(params["timeout"]) == "The ``timeout`` value (``float``)."
    assert describe.chosen["timeout"].source == "neutral"


@pytest.mark.parametrize(
    ("signature", "why"),
    [
        (["positional", "int", "5.0"], "another annotation"),
        (["positional", "float", "30.0"], "another default"),
        (["positional", "float", None], "required there"),
        (["var_positional", None, None], "another kind"),
        (None, "the corpus does not know the parameter's code"),
    ],
)
def test_an_incompatible_or_unknown_corpus_parameter_lends_nothing(tmp_path, signature, why):
    signatures = {"timeout": signature} if signature is not None else {}
    hit = _hit({"timeout": "Seconds to wait for the server."}, signatures)
    _, describe, params = _describe(tmp_path, [hit])
    assert describe.chosen.get("timeout") is None
    assert describe(params["timeout"]) == "The ``timeout`` value (``float``).", why


def test_a_parameter_of_another_name_lends_nothing(tmp_path) -> None:
    hit = _hit({"delay": "Seconds to wait."}, {"delay": ["positional", "float", "5.0"]})
    _, describe, params = _describe(tmp_path, [hit])
    assert describe(params["timeout"]) == "The ``timeout`` value (``float``)."


@pytest.mark.parametrize(
    ("name", "text", "signature"),
    [
        # another default than the code's
        ("retries", "How often to retry. Defaults to 5.", ["positional", None, "3"]),
        # None for a parameter that cannot be None (a float with a float default)
        ("timeout", "Seconds to wait; if None, wait forever.", ["positional", "float", "5.0"]),
        ("retries", "If None, retry forever.", ["positional", None, "3"]),
        # names code that is not in this function
        ("timeout", "Passed on to ``urllib3.PoolManager``.", ["positional", "float", "5.0"]),
        ("retries", "Retries of the http_adapter.", ["positional", None, "3"]),
    ],
)
def test_a_description_that_contradicts_the_code_is_refused(tmp_path, name, text, signature):
    hit = _hit({name: text}, {name: signature})
    _, describe, params = _describe(tmp_path, [hit])
    described = describe(params[name])
    assert described != text and describe.chosen[name].source == "neutral"


def test_none_may_be_spoken_of_where_the_code_allows_none(tmp_path) -> None:
    hit = _hit(
        {"params": "Query parameters; if None, none are sent."},
        {"params": ["positional", None, "None"]},
    )
    _, describe, params = _describe(tmp_path, [hit])
    assert describe(params["params"]) == "Query parameters; if None, none are sent."


def test_a_default_the_code_shares_is_stated_by_the_code_not_the_corpus(tmp_path) -> None:
    hit = _hit(
        {"retries": "How often to retry. Defaults to 3."}, {"retries": ["positional", None, "3"]}
    )
    _, describe, params = _describe(tmp_path, [hit])
    assert describe(params["retries"]) == "How often to retry."  # the renderer adds the default


def test_repository_evidence_ranks_above_the_corpus(tmp_path) -> None:
    hit = _hit(
        {"timeout": "Corpus words for the timeout.", "retries": "Corpus retries."},
        {"timeout": ["positional", "float", "5.0"], "retries": ["positional", None, "3"]},
    )
    evidence, describe, params = _describe(tmp_path, [hit], qualname="Client.post")
    assert describe(params["timeout"]) == "Seconds to wait."  # Client.get: same class
    assert describe.chosen["timeout"].source == "same-class"
    evidence.count(describe, iter([("timeout", "Seconds to wait.")]))
    assert evidence.counts["same-class"] == 1 and evidence.counts["corpus"] == 0


def test_corpus_borrowings_are_counted(tmp_path) -> None:
    hit = _hit({"verbose": "Print progress."}, {"verbose": ["positional", "bool", "False"]})
    evidence, describe, params = _describe(tmp_path, [hit])
    text = describe(params["verbose"])
    evidence.count(describe, iter([("verbose", f"{text} Defaults to False.")]))
    assert evidence.counts["corpus"] == 1


def test_without_a_corpus_nothing_is_asked_of_it(tmp_path) -> None:
    rel = "net.py"
    source = CODE.encode()
    parsed = parse_source(source, rel)
    symbol = next(s for s in parsed.symbols if s.qualname == "fetch")
    target = Target(rel, source, parsed, symbol, symbol_source(source, symbol))
    evidence = ParamEvidence(tmp_path, CalleeResolver(lambda: None, lambda _: None), corpus=None)
    describe = evidence.describer(target, "google", code_facts(symbol, target.code))
    assert describe(symbol.parameters[1]) == "The ``timeout`` value (``float``)."


def test_cached_corpus_rows_keep_or_lack_signatures() -> None:
    hit = _hit({"timeout": "t"}, {"timeout": ["positional", "float", "5.0"]})
    assert CorpusHit.from_list(hit.to_list()) == hit
    old = CorpusHit.from_list(["p", "n", "s", {"timeout": "t"}, 0.9])  # cached before them
    assert old.signatures == {}


NESTED = """
def start_later(env, generator, delay):
    def starter():
        yield env.timeout(delay)
        return env.process(generator)

    class Helper:
        def run(self):
            return helper_call(delay)

    return env.process(starter())
"""


def test_a_nested_function_s_yield_and_calls_are_not_the_outer_function_s() -> None:
    """A function returning a process its nested generator makes does not yield (it once
    got a "Yields:" section), and the nested function's calls are not its own."""
    from assistant.codefacts import code_facts
    from assistant.passing import call_text, own_calls, parse_function

    symbol = next(
        s for s in parse_source(NESTED.encode(), "u.py").symbols if s.name == "start_later"
    )
    facts = code_facts(symbol, symbol_source(NESTED.encode(), symbol))
    assert not facts.yields and facts.returns_value
    calls = {call_text(c) for c in own_calls(parse_function(NESTED))}
    assert calls == {"env.process", "starter"}


def test_signatures_round_trip_through_the_corpus_file(tmp_path) -> None:
    import faiss
    import numpy as np

    from assistant.corpus import read_corpus, write_corpus

    vectors = np.eye(3, 8, dtype=np.float32)
    index = faiss.IndexFlatL2(8)
    index.add(vectors)
    entries = [
        ("p", "a", "Do a.", {"x": "The x."}, {"x": ["positional", "int", "1"]}),
        ("p", "b", "Do b.", {}, {}),
        ("q", "c", "Do c.", {"y": "The y."}),  # written without signatures
    ]
    write_corpus(tmp_path / "c.npz", index, entries)
    corpus = read_corpus(tmp_path / "c.npz")
    assert corpus.entry(0) == entries[0][:4]
    assert corpus.signatures(0) == {"x": ["positional", "int", "1"]}
    assert corpus.signatures(2) == {}
    hit = corpus.search(vectors[:1], k=1)[0][0]
    assert hit.name == "a" and hit.signatures == {"x": ["positional", "int", "1"]}


def test_the_shipped_corpus_knows_its_parameters_code() -> None:
    from assistant.corpus import default_corpus_path, read_corpus

    corpus = read_corpus(default_corpus_path())
    assert corpus.info["param_signatures"] > 20000
    with_params = [i for i in range(200) if corpus.entry(i)[3]]
    known = [i for i in with_params if corpus.signatures(i)]
    assert len(known) > len(with_params) * 0.8
    for i in known:
        assert set(corpus.signatures(i)) <= set(corpus.entry(i)[3])
