"""The documentation pipeline core (:mod:`assistant.pipeline` is its public face), with the
T5 engine below it (:mod:`assistant.engine`), bulk runs over paths as its client
(:mod:`assistant.bulk`) and the model workshop beside it (:mod:`assistant.workshop`)."""

import logging

# The core's warnings reach users as notes (``DocPipeline.notes()``, ``BulkReport.notes``),
# which the front ends print. Without a handler here, Python's last-resort handler printed
# each one a second time on stderr whenever the application configured no logging (the
# CLI: "no index" twice, and even under ``-q``). An application that configures logging
# (the language server's log) still receives them through the root logger.
logging.getLogger(__name__).addHandler(logging.NullHandler())
