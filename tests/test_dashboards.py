"""The dashboards, driven as a learner drives them: set sliders, click buttons, look.

Training runs as an asyncio task, exactly as in a notebook; here ``asyncio.run`` plays the
notebook's event loop: a coroutine clicks, then awaits the task.
"""

import asyncio
import threading
import time

import numpy as np
import pytest

from mnistnet.dashboards import (
    digit_browser, draw_a_digit, inside_the_network, training_dashboard)
from mnistnet.dashboards.common import FigureImage
from mnistnet.dashboards.draw import CANVAS_SIZE
from mnistnet.network import Network
from mnistnet.presets import BEST, ORIGINAL
from mnistnet.preprocess import center_digit, centre_of_mass
from mnistnet.train import train


@pytest.fixture(scope="module")
def trained_network(sample):
    """784-30-10 trained for 3 epochs on the sample: about 90 % right."""
    net = Network([784, 30, 10], rng=0)
    train(net, sample.train_images, sample.train_labels, epochs=3, batch_size=10,
          learning_rate=3.0)
    return net


def small_dashboard(data, **settings):
    """A dashboard whose runs take a fraction of a second."""
    dashboard = training_dashboard(data, test_examples=500, **settings)
    dashboard.controls["training examples"].value = 500
    dashboard.controls["epochs"].value = 2
    dashboard.controls["hidden layers"].value = "16"
    return dashboard


def retrain(dashboard, *, then=None):
    """Click Retrain, optionally do ``then()`` while it runs, and wait for the run to end."""

    async def click_and_wait():
        dashboard.retrain_button.click()
        if then is not None:
            await then()
        await dashboard.task

    asyncio.run(click_and_wait())


# --- the training dashboard ---------------------------------------------------------------

def test_training_dashboard_has_the_controls_a_learner_reads(sample):
    dashboard = training_dashboard(sample)
    assert list(dashboard.controls) == [
        "hidden layers", "learning rate", "batch size", "epochs", "η × 0.1 from", "activation",
        "cost", "initialisation", "training examples", "momentum", "weight decay", "pixels"]
    assert type(dashboard.controls["learning rate"]).__name__ == "FloatLogSlider"
    assert dashboard.retrain_button.description == "Retrain"
    assert dashboard.stop_button.description == "Stop" and dashboard.stop_button.disabled
    assert dashboard.history is None and dashboard.runs == []


def test_the_drop_control_starts_from_the_preset_and_lowers_the_learning_rate(sample):
    assert training_dashboard(sample).controls["η × 0.1 from"].value is None   # never
    dashboard = small_dashboard(sample, preset=BEST)
    assert dashboard.controls["η × 0.1 from"].value == BEST.learning_rate_drops[0][0]   # 11
    dashboard.controls["hidden layers"].value = "16"
    dashboard.controls["η × 0.1 from"].value = 2

    retrain(dashboard)

    assert dashboard.history.settings["learning_rate_drops"] == [[2, 0.1]]
    assert dashboard.runs[-1].outcome == "finished"
    assert "× 0.1 from epoch 2" in dashboard.table.value


def test_a_preset_with_a_drop_the_menu_cannot_show_is_refused_plainly(sample):
    with pytest.raises(ValueError, match="one learning-rate drop by 0.1"):
        training_dashboard(sample, preset=BEST.replace(learning_rate_drops=((3, 0.5),)))


def test_starting_values_outside_the_usual_ranges_are_shown_as_given(sample):
    # Values the Trainer accepts: the controls must show them, not clamp them or refuse them.
    dashboard = training_dashboard(sample, learning_rate=0.0005, momentum=0.995, drop_epoch=1)
    settings = dashboard.read_settings()
    assert settings["learning_rate"] == 0.0005 and settings["momentum"] == 0.995
    assert settings["drop_epoch"] == 1
    assert training_dashboard(sample, epochs=5, drop_epoch=60).read_settings()["drop_epoch"] == 60


@pytest.mark.parametrize("setting, message", [
    (dict(learning_rate=0), "learning_rate must be > 0"),
    (dict(momentum=1.0), "momentum must be >= 0 and < 1"),
    (dict(drop_epoch=0), "drop_epoch must be an epoch >= 1"),
])
def test_starting_values_the_trainer_would_refuse_are_explained(sample, setting, message):
    with pytest.raises(ValueError, match=message):
        training_dashboard(sample, **setting)


def test_retrain_trains_and_updates_history_plot_and_status(sample):
    dashboard = small_dashboard(sample)
    dashboard.controls["learning rate"].value = 1.0
    picture_before, status_before = dashboard.plot.widget.value, dashboard.status.value

    retrain(dashboard)

    history = dashboard.history
    assert history.epochs_done == 2 and len(history.test_accuracies) == 2
    assert history.settings["learning_rate"] == 1.0 and history.settings["n_train"] == 500
    assert dashboard.network.sizes == [784, 16, 10]
    assert dashboard.runs[-1].outcome == "finished"
    assert list(dashboard.cost_lines.epoch.get_xdata()) == [1, 2]
    assert np.allclose(dashboard.cost_lines.epoch.get_ydata(), history.epoch_costs)
    assert np.allclose(dashboard.accuracy_line.get_ydata(),
                       100 * np.array(history.test_accuracies))
    assert dashboard.plot.widget.value != picture_before
    assert dashboard.status.value != status_before
    assert f"test accuracy {100 * history.test_accuracies[-1]:.2f} %" in dashboard.status.value
    assert "finished" in dashboard.table.value
    assert "784-16-10 sigmoid" in dashboard.table.value
    assert "learning rate 1 · batch 10 · 2 of 2 epochs · 500 examples" in dashboard.table.value
    assert not dashboard.retrain_button.disabled and dashboard.stop_button.disabled
    assert dashboard.errors.text == ""


def test_moving_sliders_during_a_run_changes_only_the_next_run(sample):
    dashboard = small_dashboard(sample)
    dashboard.controls["training examples"].value = 10_000  # 20,000 steps of one example:
    dashboard.controls["batch size"].value = 1               # long enough to move sliders

    async def move_sliders():
        await asyncio.sleep(0.01)
        assert dashboard.running
        dashboard.controls["epochs"].value = 3
        dashboard.controls["learning rate"].value = 0.1
        dashboard.controls["hidden layers"].value = "8, 8"

    retrain(dashboard, then=move_sliders)
    first = dashboard.history
    assert first.epochs_done == 2 and first.settings["learning_rate"] == 3.0
    assert dashboard.runs[0].network.sizes == [784, 16, 10]

    retrain(dashboard)
    assert dashboard.history.epochs_done == 3
    assert dashboard.history.settings["learning_rate"] == pytest.approx(0.1)
    assert dashboard.network.sizes == [784, 8, 8, 10]


def test_a_second_click_while_training_starts_no_second_run(sample):
    dashboard = small_dashboard(sample)

    async def click_again():
        dashboard.retrain_button.click()

    retrain(dashboard, then=click_again)
    assert len(dashboard.runs) == 1


def test_stop_ends_a_long_run_early(sample):
    dashboard = small_dashboard(sample)
    dashboard.controls["epochs"].value = 50
    dashboard.controls["training examples"].value = 10_000

    async def stop_soon():
        await asyncio.sleep(0.3)
        assert dashboard.running and not dashboard.stop_button.disabled
        dashboard.stop_button.click()

    retrain(dashboard, then=stop_soon)
    assert dashboard.history.stopped and dashboard.history.epochs_done < 50
    assert dashboard.runs[-1].outcome == "stopped"
    assert "Stopped" in dashboard.status.value
    assert not dashboard.running and not dashboard.retrain_button.disabled


def test_a_diverging_run_shows_the_plain_words_message(sample):
    dashboard = small_dashboard(sample, activation="relu", cost="cross_entropy", init="normal")
    dashboard.controls["pixels"].value = True   # raw 0-255 pixels and a huge learning rate
    dashboard.controls["hidden layers"].value = "16, 16"
    dashboard.controls["training examples"].value = 1000
    dashboard.controls["learning rate"].value = 100

    retrain(dashboard)
    assert dashboard.history.diverged
    assert dashboard.runs[-1].outcome == "diverged"
    assert "Training diverged" in dashboard.status.value
    assert "smaller learning rate" in dashboard.status.value
    assert "Traceback" not in dashboard.status.value and dashboard.errors.text == ""


def test_earlier_runs_stay_in_the_table_and_the_plot(sample):
    dashboard = small_dashboard(sample)
    retrain(dashboard)
    dashboard.controls["learning rate"].value = 0.3
    retrain(dashboard)

    assert [run.number for run in dashboard.runs] == [1, 2]
    assert dashboard.table.value.count("<tr>") == 3   # header and two runs
    legend = [text.get_text() for text in dashboard.accuracy_ax.get_legend().get_texts()]
    assert legend == ["run 1", "run 2 (this one)"]


def test_an_error_during_training_is_shown_in_the_dashboard(sample, monkeypatch):
    dashboard = small_dashboard(sample)

    def broken_trainer(run):
        raise RuntimeError("the trainer broke")

    monkeypatch.setattr(dashboard, "_make_trainer", broken_trainer)
    retrain(dashboard)
    assert "RuntimeError: the trainer broke" in dashboard.errors.text
    assert "failed" in dashboard.status.value
    assert not dashboard.retrain_button.disabled   # ready for another try


def test_an_error_in_a_button_callback_is_shown_in_the_dashboard(sample, monkeypatch):
    dashboard = small_dashboard(sample)

    def broken_settings():
        raise KeyError("no such slider")

    monkeypatch.setattr(dashboard, "read_settings", broken_settings)
    dashboard.retrain_button.click()
    assert "KeyError: 'no such slider'" in dashboard.errors.text


def test_unreadable_hidden_layers_are_explained_not_trained(sample):
    dashboard = small_dashboard(sample)
    dashboard.controls["hidden layers"].value = "16, lots"
    dashboard.retrain_button.click()
    assert dashboard.runs == []
    assert "hidden layers should be whole numbers" in dashboard.status.value


def test_preset_and_keywords_set_the_starting_controls(sample):
    dashboard = training_dashboard(sample, preset=BEST, activation="tanh")
    c = dashboard.controls
    assert c["hidden layers"].value == ", ".join(map(str, BEST.sizes[1:-1]))
    assert c["learning rate"].value == pytest.approx(BEST.learning_rate)
    assert (c["batch size"].value, c["epochs"].value) == (BEST.batch_size, BEST.epochs)
    assert c["momentum"].value == pytest.approx(BEST.momentum)
    assert c["weight decay"].value == BEST.weight_decay
    assert c["activation"].value == "tanh"
    assert training_dashboard(sample, preset=ORIGINAL).controls["pixels"].value is True
    with pytest.raises(TypeError, match="unknown setting 'learning_rat'"):
        training_dashboard(sample, learning_rat=1.0)


# --- widget events on two kernel threads ----------------------------------------------------

def most_redraws_at_once(monkeypatch, events):
    """Run ``events`` on threads of their own, all at once, as JupyterLab can (its comms
    over subshells hand widget messages to a second kernel thread); return how many
    redraws (from ``clear()`` to ``show()`` of a picture) were ever in progress at the same
    time. Each redraw is slowed down so that overlapping ones would be caught."""
    in_progress, most, count = 0, 0, threading.Lock()
    clear, show = FigureImage.clear, FigureImage.show

    def slow_clear(picture):
        nonlocal in_progress, most
        with count:
            in_progress += 1
            most = max(most, in_progress)
        time.sleep(0.1)
        clear(picture)

    def counted_show(picture):
        nonlocal in_progress
        show(picture)
        with count:
            in_progress -= 1

    monkeypatch.setattr(FigureImage, "clear", slow_clear)
    monkeypatch.setattr(FigureImage, "show", counted_show)
    threads = [threading.Thread(target=event) for event in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    monkeypatch.undo()
    return most


def assert_constrained_layout(picture):
    """Overlapping savefig calls leave a figure without its layout engine: labels clipped."""
    assert type(picture.figure.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"


# --- the digit browser ----------------------------------------------------------------------

def test_digit_browser_shows_only_the_chosen_digit(sample):
    browser = digit_browser(sample.test_images, sample.test_labels)
    browser.digit.value = 3
    seen = set()
    for k in (0, 1, browser.example.max):
        browser.example.value = k
        seen.add(int(sample.test_labels[browser.index]))
    assert seen == {3}
    assert browser.example.max == np.sum(sample.test_labels == 3) - 1
    assert "label: 3" in browser.plot.figure.axes[0].get_title()


def test_digit_browser_moves_through_the_images(sample):
    browser = digit_browser(sample.test_images, sample.test_labels)
    picture = browser.plot.widget.value
    browser.example.value = 7
    assert browser.index == 7
    assert browser.plot.widget.value != picture
    shown = browser.plot.figure.axes[0].images[0].get_array()
    assert np.array_equal(shown, sample.test_images[7].reshape(28, 28))


def test_digit_browser_with_a_network_shows_its_guess_and_mistakes(sample, trained_network):
    browser = digit_browser(sample.test_images, sample.test_labels, trained_network)
    guess = int(trained_network.predict(sample.test_images[:1])[0])
    assert f"guesses {guess}" in browser.caption.value
    bars = browser.plot.figure.axes[1].patches
    assert np.allclose([bar.get_height() for bar in bars],
                       trained_network.forward(sample.test_images[:1])[0])

    browser.only_mistakes.value = True
    guesses = trained_network.predict(sample.test_images)
    assert len(browser.shown) == np.sum(guesses != sample.test_labels) > 0
    browser.example.value = browser.example.max
    assert guesses[browser.index] != sample.test_labels[browser.index]
    assert "wrong" in browser.caption.value


def test_digit_browser_redraws_one_event_at_a_time(sample, trained_network, monkeypatch):
    browser = digit_browser(sample.test_images, sample.test_labels, trained_network)

    def move_slider():
        browser.example.value = 5

    def tick_mistakes():
        browser.only_mistakes.value = True

    assert most_redraws_at_once(monkeypatch, [move_slider, tick_mistakes]) == 1
    assert_constrained_layout(browser.plot)
    assert browser.errors.text == ""
    again = digit_browser(sample.test_images, sample.test_labels, trained_network)
    again.only_mistakes.value, again.example.value = True, browser.example.value
    assert browser.caption.value == again.caption.value
    assert browser.plot.widget.value == again.plot.widget.value


# --- inside the network -------------------------------------------------------------------

def test_inside_the_network_follows_the_chosen_digit_through_every_layer(sample,
                                                                         trained_network):
    inside = inside_the_network(trained_network, sample.test_images, sample.test_labels)
    inside.example.value = 5
    _, expected = trained_network.feedforward(sample.test_images[5:6])
    assert len(inside.activations) == 3
    for shown, a in zip(inside.activations, expected):
        assert np.allclose(shown, a[0])
    assert f"image #5: label {sample.test_labels[5]}" in inside.caption.value


def test_inside_the_network_shows_the_chosen_neurons_weights(sample, trained_network):
    inside = inside_the_network(trained_network, sample.test_images, sample.test_labels)
    picture = inside.neuron_plot.widget.value
    inside.neuron.value = 7
    weights_image = inside.neuron_plot.figure.axes[0].images[0].get_array()
    assert np.allclose(weights_image, trained_network.weights[0][7].reshape(28, 28))
    assert inside.neuron_plot.widget.value != picture
    assert inside.neuron.max == 29


def test_inside_the_network_redraws_one_event_at_a_time(sample, trained_network,
                                                         monkeypatch):
    inside = inside_the_network(trained_network, sample.test_images, sample.test_labels)

    def pick_digit():
        inside.example.value = 5

    def pick_neuron():
        inside.neuron.value = 7

    assert most_redraws_at_once(monkeypatch, [pick_digit, pick_neuron]) == 1
    assert_constrained_layout(inside.layers_plot)
    assert_constrained_layout(inside.neuron_plot)
    assert inside.errors.text == ""
    again = inside_the_network(trained_network, sample.test_images, sample.test_labels)
    again.example.value, again.neuron.value = 5, 7
    assert inside.layers_plot.widget.value == again.layers_plot.widget.value
    assert inside.neuron_plot.widget.value == again.neuron_plot.widget.value


def test_pictures_keep_their_own_size(sample, trained_network):
    # A column (VBox) stretches its items to its full width unless told otherwise: in
    # JupyterLab lesson 1's 250-pixel digit was blown up to about 960 pixels, blurred.
    for dashboard in (digit_browser(sample.test_images, sample.test_labels),
                      inside_the_network(trained_network, sample.test_images,
                                         sample.test_labels),
                      training_dashboard(sample)):
        assert dashboard.layout.align_items == "flex-start"


# --- draw a digit -----------------------------------------------------------------------------

def mouse(canvas, event, x, y):
    """Send the canvas a mouse event as the browser does."""
    canvas._handle_frontend_event(canvas, {"event": event, "x": x, "y": y}, [])


def draw_stroke(canvas, points):
    mouse(canvas, "mouse_down", *points[0])
    for point in points[1:]:
        mouse(canvas, "mouse_move", *point)
    mouse(canvas, "mouse_up", *points[-1])


def test_drawing_a_one_is_read_as_a_one(trained_network):
    pad = draw_a_digit(trained_network)
    assert pad.guess is None
    draw_stroke(pad.canvas, [(140, 40 + 20 * k) for k in range(11)])   # top to bottom

    assert pad.drawing.max() == 1 and pad.drawing[:, :100].max() == 0
    assert np.array_equal(pad.digit, center_digit(pad.drawing))
    assert np.allclose(centre_of_mass(pad.digit), (14, 14), atol=0.5)
    assert pad.guess == 1
    assert "The network reads: <b style='font-size:160%'>1</b>" in pad.caption.value


def test_moving_the_mouse_without_the_button_draws_nothing(trained_network):
    pad = draw_a_digit(trained_network)
    for x in range(0, CANVAS_SIZE, 20):
        mouse(pad.canvas, "mouse_move", x, x)
    assert not pad.drawing.any() and pad.guess is None


def test_clear_wipes_the_drawing_and_the_guess(trained_network):
    pad = draw_a_digit(trained_network)
    prompt = pad.caption.value
    draw_stroke(pad.canvas, [(100, 100), (180, 200)])
    assert pad.guess is not None and "The network reads" in pad.caption.value
    pad.clear_button.click()
    assert not pad.drawing.any() and pad.guess is None and pad.digit is None
    assert pad.caption.value == prompt   # no stale guess beside an empty box


def touch(canvas, event, points):
    """Send the canvas a touch event as the browser does (``points``: fingers still down)."""
    touches = [{"x": x, "y": y} for x, y in points]
    canvas._handle_frontend_event(canvas, {"event": event, "touches": touches}, [])


def test_a_finger_draws_like_the_mouse(trained_network):
    pad = draw_a_digit(trained_network)
    points = [(140, 40 + 20 * k) for k in range(11)]
    touch(pad.canvas, "touch_start", points[:1])
    for point in points[1:]:
        touch(pad.canvas, "touch_move", [point])
    touch(pad.canvas, "touch_end", [])   # the browser lists the fingers left: none
    assert pad.guess == 1


def test_a_cancelled_touch_lifts_the_pen(trained_network):
    pad = draw_a_digit(trained_network)
    touch(pad.canvas, "touch_start", [(100, 100)])
    touch(pad.canvas, "touch_move", [(100, 200)])
    touch(pad.canvas, "touch_cancel", [])
    assert pad.guess is not None
    inked = pad.drawing.copy()
    mouse(pad.canvas, "mouse_move", 250, 250)   # the mouse passes by, button up
    assert np.array_equal(pad.drawing, inked)


def test_an_error_while_drawing_is_shown_in_the_pad(trained_network, monkeypatch):
    pad = draw_a_digit(trained_network)

    def broken(*args):
        raise RuntimeError("pen broke")

    monkeypatch.setattr(pad, "_show_guess", broken)
    draw_stroke(pad.canvas, [(100, 100), (120, 200)])
    assert "RuntimeError: pen broke" in pad.errors.text



def test_draw_a_digit_redraws_one_event_at_a_time(trained_network, monkeypatch):
    pad = draw_a_digit(trained_network)
    mouse(pad.canvas, "mouse_down", 140, 40)
    mouse(pad.canvas, "mouse_move", 140, 240)

    def lift_the_pen():
        mouse(pad.canvas, "mouse_up", 140, 240)

    def click_clear():
        pad.clear_button.click()

    assert most_redraws_at_once(monkeypatch, [lift_the_pen, click_clear]) == 1
    assert_constrained_layout(pad.plot)
    assert pad.errors.text == ""
