"""Bulk work steps aside while interactive requests are answered (threads and events,
nothing timed)."""

from __future__ import annotations

import threading

from lsp.activity import Activity


def test_bulk_work_waits_until_no_interactive_request_is_in_flight():
    activity = Activity()
    assert activity.yield_to(10) is False  # idle: no wait
    entered, release, done = threading.Event(), threading.Event(), threading.Event()

    def hover():
        with activity.active():
            entered.set()
            release.wait(10)

    def bulk_step():
        activity.yield_to(10)
        done.set()

    hovering = threading.Thread(target=hover)
    hovering.start()
    assert entered.wait(10) and activity.busy
    stepping = threading.Thread(target=bulk_step)
    stepping.start()
    assert not done.wait(0.2)  # the bulk step waits for the hover
    release.set()
    assert done.wait(10)
    hovering.join(10)
    stepping.join(10)
    assert not activity.busy and activity.yields == 1


def test_bulk_work_is_never_held_longer_than_its_limit():
    activity = Activity()
    with activity.active():  # an interactive request that never ends while we wait
        assert activity.yield_to(0.01) is True  # it waited, then went on
    assert not activity.busy


def test_the_server_tells_its_pipeline_when_an_editor_request_is_in_flight():
    """The pipeline's bulk drafting pauses on the server's activity (the hover's retrieval
    and rendering too), so the service hands the pipeline that signal."""
    from lsp.server import DocgenServer

    ls = DocgenServer()
    busy = ls.pipeline_service.interactive_busy
    assert busy is not None and not busy()
    with ls.activity.active():
        assert busy()
    assert not busy()
