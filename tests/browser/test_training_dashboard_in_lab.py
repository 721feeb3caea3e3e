"""Lesson 4's training dashboard, used in a real JupyterLab through a real headless Chromium.

What a learner does: open the lesson, run every cell, drag the ``learning rate`` slider,
click Retrain and watch the run finish; then start a long run and click Stop. Screenshots of
each stage go to tests/screenshots/ (git-ignored).
"""

import time

import pytest

from lab_page import ERROR_OUTPUTS, drag_slider, readout, run_all_cells, slider

RUN_ALL_SECONDS = 240      # every cell of the lesson, on a busy 2-core machine
RUN_SECONDS = 120          # one Retrain with the lesson's settings
STOP_SECONDS = 5           # Stop must show within this (it typically takes well under 1 s)


def newest_result(dashboard):
    """The last column of the runs table's newest row ('' before the first run)."""
    cells = dashboard.locator(".mnistnet-runs tbody tr:first-child td:last-child")
    return cells.inner_text().strip() if cells.count() else ""


def runs_in_table(dashboard):
    return dashboard.locator(".mnistnet-runs tbody tr").count()


def wait_for_run_to_end(page, dashboard, runs_before, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if runs_in_table(dashboard) > runs_before and newest_result(dashboard) != "running":
            return
        page.wait_for_timeout(200)
    pytest.fail(f"the run did not end within {seconds} s; status: "
                f"{dashboard.locator('.mnistnet-status').inner_text()}")


def test_training_dashboard_retrains_and_stops_in_jupyterlab(page, lab, notebook_path,
                                                             screenshots):
    started = time.monotonic()
    run_all_cells(page, lab, notebook_path.name, seconds=RUN_ALL_SECONDS,
                  timeout_screenshot=screenshots / "run_all_cells_timed_out.png")
    errors = page.evaluate(ERROR_OUTPUTS)
    assert errors == [], f"cells show errors: {errors}"

    dashboard = page.locator(".mnistnet-training-dashboard").last
    dashboard.scroll_into_view_if_needed()
    dashboard.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=screenshots / "dashboard_1_before.png", full_page=False)
    plot = dashboard.locator("img").first
    plot_before = plot.screenshot()
    status_before = dashboard.locator(".mnistnet-status").inner_text()
    runs_before = runs_in_table(dashboard)

    # Drag the learning rate slider; the readout must follow.
    learning_rate = slider(dashboard, "learning rate")
    rate_before = readout(learning_rate)
    drag_slider(page, learning_rate, 0.55)
    rate_after = readout(learning_rate)
    assert rate_after != rate_before, "dragging the learning rate slider changed nothing"

    # Retrain and wait for the run to finish.
    dashboard.get_by_role("button", name="Retrain").click()
    wait_for_run_to_end(page, dashboard, runs_before, RUN_SECONDS)
    dashboard.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "dashboard_2_after_retrain.png")
    status = dashboard.locator(".mnistnet-status").inner_text()
    assert status != status_before and "test accuracy" in status, status
    assert newest_result(dashboard) == "finished", status
    newest_row = dashboard.locator(".mnistnet-runs tbody tr:first-child").inner_text()
    assert f"learning rate {float(rate_after):.3g} " in newest_row, (rate_after, newest_row)
    assert plot.screenshot() != plot_before, "the plot did not change"
    assert dashboard.locator(".mnistnet-errors").inner_text().strip() == ""

    # A long run: many epochs on every training example; Stop it while it runs.
    drag_slider(page, slider(dashboard, "epochs"), 1.0)
    drag_slider(page, slider(dashboard, "training examples"), 1.0)
    runs_before = runs_in_table(dashboard)
    dashboard.get_by_role("button", name="Retrain").click()
    page.wait_for_function(
        "el => el.innerText.includes('training…')",
        arg=dashboard.locator(".mnistnet-status").element_handle(), timeout=30_000)
    page.wait_for_timeout(2000)
    plot_running = plot.screenshot()
    page.wait_for_timeout(1500)
    assert plot.screenshot() != plot_running, "the plot did not grow while training"
    page.screenshot(path=screenshots / "dashboard_3_training.png")
    clicked = time.monotonic()
    dashboard.get_by_role("button", name="Stop").click()
    wait_for_run_to_end(page, dashboard, runs_before, STOP_SECONDS)
    stop_seconds = time.monotonic() - clicked
    page.screenshot(path=screenshots / "dashboard_4_stopped.png")
    assert newest_result(dashboard) == "stopped"
    assert "Stopped" in dashboard.locator(".mnistnet-status").inner_text()
    assert dashboard.locator(".mnistnet-errors").inner_text().strip() == ""
    assert page.evaluate(ERROR_OUTPUTS) == []
    print(f"\nbrowser test: Stop took effect in {stop_seconds:.2f} s; "
          f"whole test {time.monotonic() - started:.0f} s")
