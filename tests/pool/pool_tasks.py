"""Tasks for the worker pool's tests (tests/test_pool.py), imported by the worker processes."""
import os
import signal


def die(view, folder):
    os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would


def mark(view, folder):
    (folder / f"hecho-{view.metrics['month']}").write_text("x", encoding="utf-8")
