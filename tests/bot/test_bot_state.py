"""Run state: resume after a crash, forget after a clean run; deliveries kept for good."""

from __future__ import annotations

from bot.state import DeliveryLog, RunState


def test_resume_skips_settled_pages_only(tmp_path) -> None:
    path = tmp_path / "state.json"
    first = RunState(path)
    first.record("A", "edited")
    first.record("B", "failed")
    first.record("C", "excluded")
    again = RunState(path)
    assert again.settled("A") and again.settled("C")
    assert not again.settled("B") and not again.settled("D")
    assert not RunState(path, fresh=True).settled("A")


def test_clean_finish_forgets_the_run(tmp_path) -> None:
    path = tmp_path / "state.json"
    state = RunState(path)
    state.record("A", "edited")
    state.finish(failed=1)
    assert path.exists()
    state.finish(failed=0)
    assert not path.exists()


def test_simulated_runs_write_nothing(tmp_path) -> None:
    path = tmp_path / "state.json"
    state = RunState(path, persist=False)
    state.record("A", "edited")
    state.finish(failed=0)
    assert not path.exists()


def test_deliveries_survive(tmp_path) -> None:
    path = tmp_path / "d" / "deliveries.json"
    log = DeliveryLog(path)
    log.record("Report", 7, "Talk:X")
    again = DeliveryLog(path)
    assert again.delivered("Report", 7, "Talk:X")
    assert not again.delivered("Report", 8, "Talk:X")
    assert not again.delivered("Report", 7, "Talk:Y")
