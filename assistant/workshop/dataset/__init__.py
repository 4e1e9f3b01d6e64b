"""Workshop dataset: the drafting model's training data (harvest, filter, dedup, split, evidence).

Build it with ``docgen dataset build`` (see :mod:`docgen.dataset`). One example
(a line of ``examples.jsonl.gz``) holds: ``id``, ``package``, ``split`` (train/valid/test,
by package), ``fold`` (0-4, for the in-repo protocol), ``path``, ``qualname``, ``name``,
``kind``, ``code`` (docstring removed, whitespace collapsed), ``summary`` (target: first
sentence of the docstring), ``calls``, ``class_name``, ``class_summary``,
``module_summary``, ``similar`` (ids of the most similar documented records of the same
package outside the fold, or null when not embedded) and ``callees`` (ids).
"""
