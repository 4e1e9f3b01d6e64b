"""The shared prompt format: summary extraction, layout and truncation order."""

from assistant.prompt import Evidence, build_prompt, callee_key, first_sentence


def test_first_sentence_cuts_after_first_sentence_and_keeps_abbreviations():
    assert first_sentence("Return the sum, e.g. of two ints. More here.") == (
        "Return the sum, e.g. of two ints."
    )
    assert first_sentence("Load the\n  config file.\n\nArgs:\n  x: y") == "Load the config file."
    assert first_sentence("Version 1.2 of it. Next") == "Version 1.2 of it."


def test_first_sentence_skips_signature_paragraph_and_handles_empty():
    assert first_sentence("f(a, b) -> int\n\nCompute f.") == "Compute f."
    assert first_sentence(None) == ""
    assert first_sentence("   ") == ""


def test_callee_key_is_last_dotted_part():
    assert callee_key("self.db.lookup") == "lookup"
    assert callee_key("run") == "run"


def test_prompt_layout_lists_evidence_then_code():
    ev = Evidence(
        similar=[("get_a", "Return a."), ("get_b", "Return b.")],
        callees=[("fetch", "Fetch rows.")],
        class_name="Repo",
        class_summary="A repository.",
        module_summary="Data access.",
    )
    prompt = build_prompt("def get_c(self):\n    return self.c", ev)
    assert prompt.splitlines() == [
        "similar: get_a => Return a. | get_b => Return b.",
        "calls: fetch => Fetch rows.",
        "class: Repo => A repository.",
        "module: Data access.",
        "code: def get_c(self): return self.c",
    ]


def test_cold_prompt_is_only_code():
    assert build_prompt("def f(x):  return x") == "code: def f(x): return x"
    assert Evidence().is_empty()


def test_truncation_drops_module_then_callees_then_extra_similar_and_cuts_code():
    long = "word " * 30
    ev = Evidence(
        similar=[("a", long), ("b", long), ("c", long)],
        callees=[("f", long)],
        class_name="K",
        class_summary="Class.",
        module_summary=long,
    )
    prompt = build_prompt("def f(): " + "x = 1; " * 500, ev, max_chars=600)
    assert len(prompt) <= 600
    assert "module:" not in prompt and "calls:" not in prompt
    assert prompt.startswith("similar: a => ")
    assert prompt.splitlines()[-1].startswith("code: def f(): x = 1;")
