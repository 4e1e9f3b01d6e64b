"""Batch runs over many repositories (``docgen batch``), a front end built on the bulk one.

One code path, two executors: the stages (:mod:`assistant.batch.stages`: index each
repository, draft each with :func:`assistant.bulk.document_paths`) run on a local process
pool or on Ray (:mod:`assistant.batch.executors`); :mod:`assistant.batch.run` orchestrates
and :mod:`assistant.batch.outputs` writes the records, patches, check reports and summary
into the output folder. The manifest format is in :mod:`assistant.batch.manifest`.

Ray (an extra) is imported only in :mod:`assistant.batch.executors`, and only for ``--ray``.
"""
