"""Training of the drafting T5: tokenizer, model presets, checkpoints, the training loop.

``python -m assistant.training.train`` runs unchanged on CPU and CUDA (transformers 4.x
and 5.x); ``docgen model train`` wraps it.
"""
