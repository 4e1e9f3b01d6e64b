"""The model workshop: build the drafting model's dataset, train it, evaluate it.

Offline tooling that makes the shipped T5 (and the ranker's weights), not part of the
product that documents code: :mod:`~assistant.workshop.dataset` harvests and splits
(code, summary) examples, :mod:`~assistant.workshop.training` trains the tokenizer, the
model and the ranker and ships the model folder, :mod:`~assistant.workshop.evaluation`
scores models and baselines on held-out packages.

The workshop may import the pipeline core (prompts, refinement, drafting), the engine and
the indexer, so that it builds prompts and evidence exactly as run time does. The runtime
(the core, the engine, the indexer, the LSP, bulk runs) never imports the workshop; only
the CLI mounts its commands (``docgen dataset build``, ``docgen model train/eval``, in
:mod:`docgen.dataset` and :mod:`docgen.workshop_cmds`) and benchmarks use it.
"""
