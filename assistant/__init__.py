"""The documentation pipeline core (:mod:`assistant.pipeline` is its public face), with the
T5 engine below it (:mod:`assistant.engine`), bulk runs over paths as its client
(:mod:`assistant.bulk`) and the model workshop beside it (:mod:`assistant.workshop`)."""
