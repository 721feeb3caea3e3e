"""What the browser tests read and do in a JupyterLab page, shared by the test modules.

The JavaScript snippets run in the page (``page.evaluate`` / ``page.wait_for_function``) and
read JupyterLab's own model of the open notebook; the functions run a notebook's cells, and
find and move ipywidgets sliders the way a learner's mouse does.
"""

NOTEBOOK_READY = """() => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return Boolean(panel && panel.content && panel.context.isReady && kernel
                   && kernel.status === 'idle');
}"""

ALL_CELLS_RUN = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel.sessionContext.session.kernel;
    return kernel.status === 'idle' && Array.from(panel.content.model.cells).every(
        cell => cell.type !== 'code' || cell.executionCount !== null);
}"""

ERROR_OUTPUTS = """() => Array.from(window.jupyterapp.shell.currentWidget.content.model.cells)
    .flatMap((cell, i) => cell.type !== 'code' ? [] : cell.toJSON().outputs
        .filter(output => output.output_type === 'error')
        .map(output => `cell ${i}: ${output.ename}: ${output.evalue}`))"""


def run_all_cells(page, lab, notebook_name, *, seconds, timeout_screenshot):
    """Open the notebook in JupyterLab, clear its outputs, run every cell, wait for the last.

    If the cells have not all run after ``seconds``, the page is saved to
    ``timeout_screenshot`` (a path) before the timeout is raised.
    """
    page.goto(f"{lab['url']}/lab/tree/{notebook_name}?token={lab['token']}")
    page.wait_for_function(NOTEBOOK_READY, timeout=90_000, polling=250)
    page.evaluate("window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    try:
        page.wait_for_function(ALL_CELLS_RUN, timeout=seconds * 1000, polling=250)
    except Exception:
        page.screenshot(path=timeout_screenshot, full_page=True)
        raise


def slider(widget_box, label):
    """The ipywidgets slider inside ``widget_box`` whose label reads ``label``."""
    return widget_box.locator(".widget-slider").filter(
        has=widget_box.page.locator(f"label.widget-label:text-is('{label}')"))


def readout(slider_box):
    """The text of the number shown beside the slider (e.g. '3' or '0.316')."""
    return slider_box.locator(".widget-readout").inner_text().strip()


def drag_slider(page, slider_box, fraction):
    """Drag the slider's handle to ``fraction`` (0 = left end, 1 = right end) of its track."""
    handle = slider_box.locator(".noUi-handle").bounding_box()
    track = slider_box.locator(".noUi-target").bounding_box()
    y = handle["y"] + handle["height"] / 2
    page.mouse.move(handle["x"] + handle["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(track["x"] + fraction * track["width"], y, steps=8)
    page.mouse.up()
