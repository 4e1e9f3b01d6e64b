"""Retrieval never lends a module's docstring to a class or callable, nor theirs to a
module: the ranker's dataset has no modules, so it never learnt what they lend
(assistant.borrowing)."""

from __future__ import annotations

from pathlib import Path

from assistant.target import Target
from indexer.index import update_index
from indexer.parser import parse_source
from indexer.text import symbol_source
from tests.conftest import write_tree

CODE = '''"""Containers for the warehouse: piles and lines of items."""


class Stack:
    """A last-in first-out pile of items."""

    def __init__(self):
        self.items = []

    def push(self, item):
        """Put an item on top of the pile."""
        self.items.append(item)


def push_all(stack, items):
    """Push every item onto the stack."""
    for item in items:
        stack.push(item)


class Queue:
    def __init__(self):
        self.items = []

    def put(self, item):
        self.items.append(item)
'''


def _target(root: Path, rel: str, qualname: str) -> Target:
    source = (root / rel).read_bytes()
    parsed = parse_source(source, rel)
    symbol = next(s for s in parsed.symbols if s.qualname == qualname)
    return Target(rel, source, parsed, symbol, symbol_source(source, symbol))


def _similar(pipeline, root: Path, qualname: str) -> list[str]:
    target = _target(root, "store.py", qualname)
    return pipeline.retriever.contexts([target])[0].evidence.similar_qualnames


def test_neighbours_are_of_the_symbols_kind(tmp_path: Path, make_pipeline) -> None:
    root = write_tree(tmp_path / "repo", {"store.py": CODE})
    update_index(root)
    pipeline = make_pipeline(root)
    for qualname in ("Queue", "Queue.put"):
        similar = _similar(pipeline, root, qualname)
        assert len(similar) == 3 and "store" not in similar, similar


def test_dataset_neighbours_follow_the_same_rule(tmp_path: Path) -> None:
    """The dataset's neighbour ids (fitting and scoring the ranker) are chosen as
    retrieval chooses them, and a neighbour file written before the rule is read so."""
    import json
    import lzma

    import numpy as np

    from assistant.workshop.dataset.evidence import neighbour_ids
    from assistant.workshop.training.data import apply_similar

    kinds = ["class", "method", "module", "function", "module"]
    records = [
        {"id": i, "fold": i, "name": f"s{i}", "calls": [], "kind": kind}
        for i, kind in enumerate(kinds)
    ]
    vectors = np.eye(5, dtype=np.float32) + 0.1
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    neighbour_ids(records, vectors)
    assert sorted(records[0]["similar"]) == [1, 3]
    assert sorted(records[2]["similar"]) == [4]
    path = tmp_path / "similar.json.xz"
    with lzma.open(path, "wt", encoding="utf-8") as fh:
        json.dump({"0": [[1, 2, 3], []], "3": [[0, 4, 1], [2]]}, fh)
    apply_similar(records, path)
    assert records[0]["similar"] == [1, 3] and records[3]["similar"] == [0, 1]
    assert records[3]["callees"] == [2]


DEMOS = {
    "demo1.py": 'def main():\n    """\n    expected output:\n    1a2\n    """\n    print("1a2")\n',
    "demo2.py": 'def main():\n    print("aba")\n',
    "tools.py": 'def show(text):\n    """Print the text on the terminal."""\n    print(text)\n',
}


def test_only_summaries_the_dataset_would_keep_are_lent(tmp_path: Path, make_pipeline) -> None:
    """A demo's "Expected output: 1a2." is no summary the model or the ranker ever saw from
    a neighbour (the dataset's filter drops it): the next neighbour is lent instead."""
    from assistant.borrowing import summary_ok

    assert not summary_ok("Expected output: 1a2.")
    assert summary_ok("Print the text on the terminal.")
    root = write_tree(tmp_path / "repo", DEMOS)
    update_index(root)
    pipeline = make_pipeline(root)
    target = _target(root, "demo2.py", "main")
    similar = pipeline.retriever.contexts([target])[0].evidence.similar
    assert [name for name, _ in similar] == ["show"]


def test_a_neighbour_of_another_kind_is_a_confidence_feature(tmp_path: Path, make_pipeline) -> None:
    """Retrieval gives each neighbour's kind; a class's sentence lent to a method, or a
    function's to a method, is marked for the confidence (3-9 points too high over the
    training split's pools), and the choice never reads it."""
    from assistant.prompt import named_neighbours
    from assistant.ranker import CONFIDENCE_ONLY, FEATURES, KIND_FEATURES, TRAIN_CALIBRATED
    from assistant.summaries import candidate_pool

    root = write_tree(tmp_path / "repo", {"store.py": CODE})
    update_index(root)
    pipeline = make_pipeline(root)
    target = _target(root, "store.py", "Queue.put")
    symbol = target.symbol
    context = pipeline.retriever.contexts([target])[0]
    evidence = context.evidence
    kinds = dict(zip(evidence.similar_qualnames, evidence.similar_kinds, strict=True))
    assert kinds == {"Stack.push": "method", "push_all": "function", "Stack": "class"}
    again = pipeline.retriever.contexts([target])[0]  # from the context cache
    assert again.evidence.similar_kinds == context.evidence.similar_kinds
    pool = candidate_pool([], context.vocabulary, symbol, named_neighbours(context.evidence))
    call, method = (FEATURES.index(name) for name in KIND_FEATURES)
    marks = {c.detail: (v[call], v[method]) for c, _, v in pool if c.source == "neighbour"}
    assert marks.get("Stack.push", (0.0, 0.0)) == (0.0, 0.0)
    assert marks.get("push_all", (0.0, 1.0)) == (0.0, 1.0)
    assert marks.get("Stack", (1.0, 0.0)) == (1.0, 0.0)
    assert len(marks) >= 2
    assert set(KIND_FEATURES) <= set(CONFIDENCE_ONLY) & set(TRAIN_CALIBRATED)
