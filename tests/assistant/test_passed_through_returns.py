"""The Returns line of a function that returns one callee's value says what the callee's
own docstring says it returns, instead of "The result." (issue #12: ``trigger_event``'s
"Returns: The result." where every return is ``return self._process(...)``)."""

from __future__ import annotations

import pytest

from assistant.readback import read_back
from assistant.returnevidence import documented_returns, pass_through
from indexer.parser import parse_source
from tests.conftest import write_tree


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("return self._process(x)", ("self._process", False)),
        ("if x:\n    return helper(x, 1)\nreturn helper(x)", ("helper", False)),
        ("return await self.fetch(x)", ("self.fetch", True)),
        ("if not x:\n    raise ValueError(x)\nreturn mod.run(x)", ("mod.run", False)),
        ("def inner():\n    return []\nreturn run(inner)", ("run", False)),  # nested: not ours
    ],
)
def test_a_function_returning_one_callees_value(body: str, found) -> None:
    code = "def f(self, x):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    assert pass_through(code) == found


@pytest.mark.parametrize(
    "body",
    [
        "if x:\n    return self.a(x)\nreturn self.b(x)",  # two callees
        "if x:\n    return None\nreturn self.a(x)",  # None on one path
        "if x:\n    return self.a(x)\nreturn",  # a bare return
        "if x:\n    return self.a(x)",  # may run off its end
        "if x:\n    return await self.a(x)\nreturn self.a(x)",  # awaited on one path only
        "return self.a(x).b",  # an attribute of the value, not the value
        "return self.a(x)()",  # the value is called
        "self.a(x)",  # returns nothing
    ],
)
def test_nothing_passes_through_where_another_value_can_come_back(body: str) -> None:
    code = "def f(self, x):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    assert pass_through(code) is None


@pytest.mark.parametrize(
    ("call", "forwards"),
    [
        ("self.a(x)", True),
        ("self.a(x, key=key)", True),
        ("helper(*args, **kwargs)", True),
        ('lazy("protos", x)', False),  # a constant: a generic callee told what to do
        ("self.a(x + 1)", False),
        ("self.a(self.x)", False),
        ("self.a(partial(run, x))", False),
    ],
)
def test_only_a_call_handing_on_its_own_parameters_forwards(call: str, forwards: bool) -> None:
    code = f"def f(self, x, key=None, *args, **kwargs):\n    return {call}\n"
    assert pass_through(code) is not None
    assert (pass_through(code, forwarding=True) is not None) is forwards


@pytest.mark.parametrize(
    ("docstring", "text"),
    [
        ("Run it.\n\nReturns:\n    bool: whether a transition ran\n", "Whether a transition ran."),
        ("Run it.\n\nReturns:\n    The number of rows.\n", "The number of rows."),
        ("Run it.\n\n:param x: The x.\n:returns: The parsed value.\n", "The parsed value."),
        ("Run it.\n\nReturns\n-------\nint\n    How many ran.\n", "How many ran."),
        ("Run it.", None),
        (None, None),
    ],
)
def test_the_callees_documented_returns_text(docstring, text) -> None:
    assert documented_returns(docstring) == text


MACHINE = {
    "fsm/core.py": '''
import functools


class Machine:
    def _process(self, trigger):
        """Run a trigger now or queue it.

        Returns:
            bool: whether a transition has been executed successfully
        """
        if self.queue:
            self.queue.append(trigger)
            return True
        return trigger()

    def trigger_event(self, trigger):
        if trigger is None:
            raise ValueError("no trigger")
        return self._process(trigger)

    def trigger_later(self, model, trigger):
        return self._process(functools.partial(self._run, model, trigger))

    async def _aprocess(self, trigger):
        """Run a trigger.

        Returns:
            bool: whether a transition has been executed successfully
        """
        return await trigger()

    def start(self, trigger):
        return self._aprocess(trigger)

    def _quiet(self, trigger):
        """Run a trigger."""
        return trigger()

    def run_quietly(self, trigger):
        return self._quiet(trigger)
''',
}


def _returns(pipeline, root, rel: str, qualname: str) -> str | None:
    source = (root / rel).read_bytes()
    parsed = parse_source(source, rel)
    symbol = next(s for s in parsed.symbols if s.qualname == qualname)
    result = pipeline.document_targets([pipeline.target(rel, source, symbol, parsed)])[0]
    value = read_back(result.docstring, result.style).returns
    return value.description if value else None


def test_a_pass_through_says_what_its_callee_documents(tmp_path, make_pipeline) -> None:
    root = write_tree(tmp_path / "repo", MACHINE)
    pipeline = make_pipeline(root, style="google")
    text = _returns(pipeline, root, "fsm/core.py", "Machine.trigger_event")
    assert text == "Whether a transition has been executed successfully."


@pytest.mark.parametrize(
    "qualname",
    [
        "Machine.start",  # returns the coroutine of an async callee, not its value
        "Machine.run_quietly",  # the callee documents no Returns
        "Machine.trigger_later",  # it hands on something else than its own parameters
    ],
)
def test_nothing_is_borrowed_without_a_value_to_speak_of(tmp_path, make_pipeline, qualname) -> None:
    root = write_tree(tmp_path / "repo", MACHINE)
    pipeline = make_pipeline(root, style="google")
    assert _returns(pipeline, root, "fsm/core.py", qualname) == "The result."
