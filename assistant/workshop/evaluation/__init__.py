"""Workshop evaluation: smoothed BLEU-4 of the drafting model and baselines on held-out packages.

``docgen model eval`` (:mod:`docgen.workshop_cmds`) and
``benchmarks/model_quality.py`` run :func:`assistant.workshop.evaluation.evaluate.evaluate_model`.
"""
