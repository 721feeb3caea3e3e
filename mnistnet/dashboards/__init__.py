"""Interactive dashboards for the lessons: each function builds and returns a widget.

A notebook cell that ends with the returned widget shows it:

- ``training_dashboard(data)``: sliders, Retrain and Stop, live cost and accuracy (lessons 4, 5);
- ``digit_browser(images, labels, network=None)``: digits, labels and guesses (lesson 1);
- ``inside_the_network(network, images, labels)``: every layer's activations (lessons 2, 5);
- ``draw_a_digit(network)``: draw with the mouse and see the network's guess.
"""

from mnistnet.dashboards.browser import digit_browser
from mnistnet.dashboards.draw import draw_a_digit
from mnistnet.dashboards.inside import inside_the_network
from mnistnet.dashboards.training import training_dashboard

__all__ = ["digit_browser", "draw_a_digit", "inside_the_network", "training_dashboard"]
