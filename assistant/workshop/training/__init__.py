"""Workshop training of the drafting T5: tokenizer, architecture, checkpoints, the loop, shipping.

:func:`assistant.workshop.training.train.train` runs one training from a
:class:`~assistant.workshop.training.config.TrainConfig`; ``docgen model train`` and
``python -m assistant.workshop.training.train`` both build that config. Training runs
unchanged on CPU and CUDA (transformers 4.x and 5.x).
"""
