"""Lessons 1, 2 and 5's dashboards, used in a real JupyterLab through a real headless Chromium.

What a learner does: step through the digit browser with its slider, type an index, pick a
digit class, tick ``only mistakes``; pick another digit and another neuron inside the
network; draw digits on the pad with the mouse and with a finger, and clear it.

To stay fast, the test does not run the lessons: it writes a small scratch notebook into the
lab's folder (the bundled sample, a 784-30-10 network trained for 3 epochs in under a
second, about 92 % right, and the dashboards as the lessons call them). The kernel saves that
network, so the test can build the same dashboards in its own process and check that the
pictures the browser shows are, byte for byte, what the package draws for the same choice.
Screenshots go to tests/screenshots/ (git-ignored).
"""

import base64
import json
import re
import time
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from mnistnet.dashboards import digit_browser, draw_a_digit, inside_the_network
from mnistnet.dashboards.draw import CANVAS_SIZE, PROMPT
from mnistnet.saving import load_network

from lab_page import ERROR_OUTPUTS, drag_slider, readout, run_all_cells, slider

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"   # as in conftest.py
NOTEBOOK_NAME = "other_dashboards_scratch.ipynb"
RUN_ALL_SECONDS = 120
UPDATE_SECONDS = 20        # a kernel round trip and a redraw, on a busy 2-core machine

CELLS = [
    """\
from mnistnet.dashboards import digit_browser, draw_a_digit, inside_the_network
from mnistnet.data import load_mnist
from mnistnet.network import Network
from mnistnet.saving import save_network
from mnistnet.train import train""",
    """\
mnist = load_mnist(sample=True)
net = Network([784, 30, 10], rng=0)
train(net, mnist.train_images, mnist.train_labels, epochs=3, batch_size=10, learning_rate=3.0)
save_network(net, "net.npz")   # the test reads it back to check what the dashboards show""",
    "digit_browser(mnist.test_images, mnist.test_labels)   # lesson 1",
    "digit_browser(mnist.test_images, mnist.test_labels, net)",
    "inside_the_network(net, mnist.test_images, mnist.test_labels)   # lessons 2 and 5",
    "draw_a_digit(net)   # lesson 5",
]

PICTURE_BYTES = """async img => {
    const blob = await (await fetch(img.src)).blob();
    return await new Promise(resolve => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result.split(',')[1]);
        reader.readAsDataURL(blob);
    });
}"""

# Share of the canvas's pixels with ink, in a band of columns [left, right).
INK_IN_COLUMNS = """(canvas, [left, right]) => {
    const pixels = canvas.getContext('2d').getImageData(left, 0, right - left, canvas.height).data;
    let inked = 0;
    for (let i = 3; i < pixels.length; i += 4) inked += pixels[i] > 128;
    return inked / (pixels.length / 4);
}"""


# --- the notebook, and the same dashboards built in this process --------------------------

def scratch_notebook():
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
              "source": source} for source in CELLS]
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"}}}


@pytest.fixture(scope="module")
def notebook(browser, lab, screenshots):
    """A page showing the scratch notebook with every cell run (mouse and touch enabled)."""
    (lab["root"] / NOTEBOOK_NAME).write_text(json.dumps(scratch_notebook()))
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, has_touch=True)
    page = context.new_page()
    try:
        run_all_cells(page, lab, NOTEBOOK_NAME, seconds=RUN_ALL_SECONDS,
                      timeout_screenshot=screenshots / "other_run_all_timed_out.png")
        assert page.evaluate(ERROR_OUTPUTS) == []
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def network(notebook, lab):
    """The network the kernel trained, read back from the file it saved."""
    return load_network(lab["root"] / "net.npz")


# --- what the learner sees ------------------------------------------------------------------

def dashboard(page, name, nth=0):
    """The ``nth`` dashboard of this kind on the page, scrolled into view."""
    found = page.locator(f".mnistnet-{name}").nth(nth)
    found.scroll_into_view_if_needed()
    expect(found).to_be_visible()
    return found


def caption(board):
    return board.locator(".mnistnet-caption").inner_text().strip()


def picture(img):
    """The PNG bytes an ``<img>`` shows."""
    return base64.b64decode(img.evaluate(PICTURE_BYTES))


def wait_for_caption(board, pattern):
    """Wait until the caption matches ``pattern``; return the match."""
    expect(board.locator(".mnistnet-caption")).to_have_text(re.compile(pattern),
                                                             timeout=UPDATE_SECONDS * 1000)
    return re.search(pattern, caption(board))


def wait_for_picture(img, expected, what):
    """Wait until the browser shows exactly the PNG ``expected``.

    If it never does, both pictures are saved in tests/screenshots/ to compare.
    """
    deadline = time.monotonic() + UPDATE_SECONDS
    while (shown := picture(img)) != expected:
        if time.monotonic() > deadline:
            (SCREENSHOTS / "other_mismatch_shown.png").write_bytes(shown)
            (SCREENSHOTS / "other_mismatch_expected.png").write_bytes(expected)
            pytest.fail(f"the browser does not show {what} (see other_mismatch_*.png "
                        f"in {SCREENSHOTS})")
        img.page.wait_for_timeout(200)


def wait_for_new_picture(img, old, what):
    """Wait until the browser shows a picture other than the PNG ``old``."""
    deadline = time.monotonic() + UPDATE_SECONDS
    while picture(img) == old:
        if time.monotonic() > deadline:
            pytest.fail(f"the picture did not change to show {what}")
        img.page.wait_for_timeout(200)


def assert_natural_size(img):
    """The picture is shown pixel for pixel, neither stretched nor squeezed (there is room)."""
    natural, shown = img.evaluate("img => [[img.naturalWidth, img.naturalHeight], "
                                  "[img.clientWidth, img.clientHeight]]")
    assert shown == natural, f"a {natural[0]}x{natural[1]} picture is shown {shown[0]}x{shown[1]}"


def errors_shown(board):
    return board.locator(".mnistnet-errors").inner_text().strip()


def press_on_handle(slider_box, key, times=1):
    """Focus the slider's handle (as a click or Tab does) and press ``key``."""
    handle = slider_box.locator(".noUi-handle")
    handle.focus()
    for _ in range(times):
        handle.press(key)


def type_into_readout(slider_box, value):
    """Click the number beside the slider, type ``value`` and press Enter."""
    number = slider_box.locator(".widget-readout")
    number.click()
    number.fill(str(value))
    number.press("Enter")


# --- lesson 1: the digit browser ------------------------------------------------------------

BROWSE = r"image #(\d+) of 2,000 · ([\d,]+) to browse"


def test_lesson_1_digit_browser_steps_jumps_and_filters(notebook, sample, screenshots):
    board = dashboard(notebook, "digit-browser", 0)
    img = board.locator("img")
    local = digit_browser(sample.test_images, sample.test_labels)   # the same, drawn here
    assert wait_for_caption(board, BROWSE).groups() == ("0", "2,000")
    wait_for_picture(img, local.plot.widget.value, "test image #0")
    assert_natural_size(img)
    assert "guesses" not in caption(board)
    assert board.get_by_role("checkbox").count() == 0   # no network, no mistakes to show
    first = picture(img)

    example = slider(board, "example")
    press_on_handle(example, "ArrowRight")               # the next digit
    wait_for_caption(board, r"image #1 of")
    local.example.value = 1
    wait_for_picture(img, local.plot.widget.value, "test image #1")
    assert picture(img) != first

    type_into_readout(example, 1999)                     # the last one
    wait_for_caption(board, r"image #1999 of")
    local.example.value = 1999
    wait_for_picture(img, local.plot.widget.value, "test image #1999")
    press_on_handle(example, "ArrowLeft")                # and back one
    wait_for_caption(board, r"image #1998 of")

    board.locator("select").select_option(label="3")     # only the threes
    threes = np.flatnonzero(sample.test_labels == 3)
    wait_for_caption(board, rf"image #{threes[0]} of 2,000 · {len(threes):,} to browse")
    assert int(readout(example)) == 0
    press_on_handle(example, "ArrowRight", times=4)
    assert wait_for_caption(board, rf"image #{threes[4]} of")
    local.digit.value = 3
    local.example.value = 4
    wait_for_picture(img, local.plot.widget.value, f"the fifth 3, test image #{threes[4]}")
    notebook.screenshot(path=screenshots / "other_1_digit_browser.png")
    assert errors_shown(board) == ""


def test_digit_browser_shows_the_networks_guesses_and_only_its_mistakes(notebook, sample,
                                                                         network, screenshots):
    board = dashboard(notebook, "digit-browser", 1)
    img = board.locator("img")
    guesses = network.predict(sample.test_images)
    pattern = BROWSE + r" · the network guesses (\d) \((right|wrong)\)"

    example = slider(board, "example")
    type_into_readout(example, 42)
    wait_for_caption(board, r"image #42 of")
    _, _, guess, verdict = re.search(pattern, caption(board)).groups()
    assert int(guess) == guesses[42]
    assert verdict == ("right" if guesses[42] == sample.test_labels[42] else "wrong")

    board.get_by_role("checkbox", name="only mistakes").check()
    mistakes = np.flatnonzero(guesses != sample.test_labels)
    assert 0 < len(mistakes) < 0.2 * len(guesses)        # about 92 % right
    match = wait_for_caption(board, rf"image #{mistakes[0]} of .*")
    assert re.search(pattern, match.group()).group(2) == f"{len(mistakes):,}"
    for k in range(1, 4):                                # the next mistakes, one by one
        press_on_handle(example, "ArrowRight")
        text = wait_for_caption(board, rf"image #{mistakes[k]} of .*").group()
        assert f"guesses {guesses[mistakes[k]]} (wrong)" in text

    board.locator("select").select_option(label="5")     # the fives it gets wrong
    wrong_fives = mistakes[sample.test_labels[mistakes] == 5]
    text = wait_for_caption(board, rf"image #{wrong_fives[0]} of .*").group()
    assert f"{len(wrong_fives):,} to browse" in text and "(wrong)" in text
    local = digit_browser(sample.test_images, sample.test_labels, network)
    local.digit.value, local.only_mistakes.value = 5, True
    wait_for_picture(img, local.plot.widget.value,
                     f"test image #{wrong_fives[0]} with the network's output bars")
    assert_natural_size(img)
    notebook.screenshot(path=screenshots / "other_2_digit_browser_mistakes.png")
    assert errors_shown(board) == ""


# --- lessons 2 and 5: inside the network ----------------------------------------------------

def test_inside_the_network_follows_another_digit_and_neuron(notebook, sample, network,
                                                            screenshots):
    board = dashboard(notebook, "inside-the-network")
    layers_img, neuron_img = board.locator("img").nth(0), board.locator("img").nth(1)
    local = inside_the_network(network, sample.test_images, sample.test_labels)
    wait_for_picture(layers_img, local.layers_plot.widget.value, "test image #0's layers")
    layers_before, neuron_before = picture(layers_img), picture(neuron_img)

    example = slider(board, "example")
    drag_slider(notebook, example, 0.5)                  # another digit, about halfway
    wait_for_caption(board, r"image #(?!0:)\d+:")
    k = int(readout(example))
    assert 0 < k < 1999
    guess = int(network.predict(sample.test_images[k:k + 1])[0])
    verdict = "right" if guess == sample.test_labels[k] else "wrong"
    wait_for_caption(board, re.escape(f"image #{k}: label {sample.test_labels[k]}, "
                                      f"the network guesses {guess} ({verdict})"))
    local.example.value = k
    wait_for_picture(layers_img, local.layers_plot.widget.value,
                     f"every layer's activations for test image #{k}")
    wait_for_picture(neuron_img, local.neuron_plot.widget.value, f"neuron 0 and image #{k}")
    assert picture(layers_img) != layers_before and picture(neuron_img) != neuron_before
    assert_natural_size(layers_img)
    assert_natural_size(neuron_img)

    neuron = slider(board, "neuron")
    press_on_handle(neuron, "ArrowRight", times=7)       # the eighth neuron of the 30
    expect(neuron.locator(".widget-readout")).to_have_text("7")
    local.neuron.value = 7
    wait_for_picture(neuron_img, local.neuron_plot.widget.value, "neuron 7's weights")
    wait_for_picture(layers_img, local.layers_plot.widget.value, "neuron 7 outlined")
    assert f"image #{k}:" in caption(board)              # still the same digit
    notebook.screenshot(path=screenshots / "other_3_inside_the_network.png")
    assert errors_shown(board) == ""


# --- lesson 5: draw a digit -----------------------------------------------------------------

def canvas_point(canvas, x, y):
    """Where on the page the canvas point (x, y) is (the canvas box includes its border)."""
    box = canvas.bounding_box()
    return box["x"] + x * box["width"] / CANVAS_SIZE, box["y"] + y * box["height"] / CANVAS_SIZE


def draw_with_mouse(page, canvas, points):
    """Hold the button down at the first point, move through the others, release."""
    page.mouse.move(*canvas_point(canvas, *points[0]))
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*canvas_point(canvas, *point), steps=3)
    page.mouse.up()


def draw_with_finger(page, canvas, points):
    """A one-finger touch stroke, through Chromium's input pipeline (DevTools protocol):
    Playwright's ``page.touchscreen`` can only tap."""
    session = page.context.new_cdp_session(page)
    try:
        for kind, point in [("touchStart", points[0])] + [("touchMove", p) for p in points[1:]]:
            x, y = canvas_point(canvas, *point)
            session.send("Input.dispatchTouchEvent",
                         {"type": kind, "touchPoints": [{"x": x, "y": y}]})
        session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    finally:
        session.detach()


def ink(canvas, left, right):
    return canvas.evaluate(INK_IN_COLUMNS, [left, right])


ONE = [(140, 40 + 20 * k) for k in range(11)]                                # top to bottom
SEVEN = [(80, 50), (200, 50)] + [(200 - 8 * k, 50 + 20 * k) for k in range(1, 11)]
ZERO = [(140 + 60 * np.sin(a), 140 - 95 * np.cos(a)) for a in np.linspace(0, 2 * np.pi, 30)]
READS = r"The network reads: (\d)"


@pytest.fixture(scope="module")
def blank_pad(network):
    """What a fresh (or cleared) pad shows: its prompt, as text, and its picture."""
    pad = draw_a_digit(network)
    return re.sub("<[^>]+>", "", PROMPT), pad.plot.widget.value


def assert_blank(board, blank_pad):
    """The pad shows its prompt and empty picture, and its canvas has no ink."""
    prompt, empty_picture = blank_pad
    wait_for_caption(board, "^" + re.escape(prompt) + "$")
    wait_for_picture(board.locator("img"), empty_picture, "the empty pad's picture")
    assert ink(board.locator("canvas"), 0, CANVAS_SIZE) == 0


def clear(board, blank_pad):
    board.get_by_role("button", name="Clear").click()
    assert_blank(board, blank_pad)


def test_draw_a_digit_with_the_mouse_and_clear(notebook, blank_pad, screenshots):
    page = notebook
    board = dashboard(page, "draw-a-digit")
    canvas, plot = board.locator("canvas"), board.locator("img")
    assert_blank(board, blank_pad)                       # as the cell left it

    draw_with_mouse(page, canvas, ONE)
    assert wait_for_caption(board, READS).group(1) == "1"
    assert ink(canvas, 130, 150) > 0.5                   # the stroke, on the learner's canvas
    assert ink(canvas, 0, 110) == 0 and ink(canvas, 170, CANVAS_SIZE) == 0
    wait_for_new_picture(plot, blank_pad[1], "what the network sees and its ten outputs")
    assert_natural_size(plot)
    page.screenshot(path=screenshots / "other_4_drew_a_one.png")
    clear(board, blank_pad)

    draw_with_mouse(page, canvas, SEVEN)
    assert wait_for_caption(board, READS).group(1) == "7"
    wait_for_new_picture(plot, blank_pad[1], "what the network sees and its ten outputs")
    inked = ink(canvas, 0, CANVAS_SIZE)
    page.mouse.move(*canvas_point(canvas, 30, 265))      # moving with the button up
    page.mouse.move(*canvas_point(canvas, 250, 265), steps=5)   # draws nothing
    page.wait_for_timeout(500)
    assert ink(canvas, 0, CANVAS_SIZE) == inked and "reads: 7" in caption(board)
    page.screenshot(path=screenshots / "other_5_drew_a_seven.png")
    clear(board, blank_pad)
    assert errors_shown(board) == ""


def test_draw_a_digit_with_a_finger(notebook, blank_pad, screenshots):
    page = notebook
    board = dashboard(page, "draw-a-digit")
    canvas, plot = board.locator("canvas"), board.locator("img")
    clear(board, blank_pad)

    page.touchscreen.tap(*canvas_point(canvas, 140, 140))   # a dot
    wait_for_caption(board, READS)
    wait_for_new_picture(plot, blank_pad[1], "the network's guess for a dot")
    assert ink(canvas, 130, 150) > 0 and ink(canvas, 0, 120) == 0
    clear(board, blank_pad)

    draw_with_finger(page, canvas, ZERO)
    assert wait_for_caption(board, READS).group(1) == "0"
    wait_for_new_picture(plot, blank_pad[1], "what the network sees and its ten outputs")
    assert ink(canvas, 75, 90) > 0 and ink(canvas, 190, 205) > 0   # both sides of the ring
    assert ink(canvas, 130, 150) < 0.25                  # and a hole in the middle
    page.screenshot(path=screenshots / "other_6_finger_drew_a_zero.png")
    clear(board, blank_pad)
    assert errors_shown(board) == ""
