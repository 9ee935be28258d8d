"""Long work off the GUI thread: progress, cancel, and nothing left running at close."""
from __future__ import annotations

import time

from models.jobs import Cancelled, JobContext
from views.jobs import Job, run_job, shutdown


def _slow(ctx: JobContext):
    for i in range(500):
        ctx.progress(i, 500, f"第 {i} 步")
        time.sleep(0.01)
    return "done"


def test_job_reports_progress_and_result(qtbot):
    seen = []
    job = Job(None, "测试", lambda ctx: [ctx.progress(i, 3) for i in range(3)] and "ok")
    job.progressed.connect(lambda d, t, text: seen.append((d, t)))
    with qtbot.waitSignal(job.done, timeout=5000) as blocker:
        job.start()
    assert blocker.args == ["ok"] and seen == [(0, 3), (1, 3), (2, 3)]


def test_cancel_stops_the_job(qtbot):
    job = Job(None, "测试", _slow)
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        job.start()
        job.cancel()
    assert not job.thread.isRunning()


def test_errors_come_back_as_signals(qtbot):
    def boom(ctx):
        raise ValueError("文件无法读取")
    job = Job(None, "测试", boom)
    with qtbot.waitSignal(job.error, timeout=5000) as blocker:
        job.start()
    assert str(blocker.args[0]) == "文件无法读取"


def test_shutdown_leaves_no_thread_running(qtbot):
    jobs = [run_job(None, "测试", _slow) for _ in range(2)]
    time.sleep(0.05)
    assert shutdown() == 2
    assert all(not j.thread.isRunning() for j in jobs)
    qtbot.wait(50)
