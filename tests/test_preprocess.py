"""center_digit makes drawings look like MNIST digits: fitted in 20x20, centred by mass."""

import numpy as np
import pytest

from mnistnet.data import load_sample
from mnistnet.preprocess import center_digit, centre_of_mass, fit_in_box, resize_matrix


def ink_box(digit):
    """Height and width of the smallest box holding all the ink."""
    rows = np.flatnonzero(digit.any(axis=1))
    cols = np.flatnonzero(digit.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def test_a_shifted_enlarged_digit_comes_back_centred_and_fitted_in_20x20():
    canvas = np.zeros((300, 400))
    canvas[20:180, 250:330] = 1.0            # a 160 x 80 bar in a corner
    digit = center_digit(canvas)
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert ink_box(digit) == (20, 10)        # longer side 20, aspect ratio 2:1 kept
    row, col = centre_of_mass(digit)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5
    assert digit.min() == 0 and digit.max() == 1


def test_a_real_mnist_digit_enlarged_and_moved_comes_back_as_it_was():
    # MNIST digits already are in this form, so they are the oracle: blow one up 5x
    # (nearest neighbour), put it off-centre on a big canvas, and undo it.
    sample = load_sample()
    for i in range(5):
        original = sample.test_images[i].reshape(28, 28)
        canvas = np.zeros((320, 300), dtype=np.float32)
        canvas[30:170, 100:240] = np.kron(original, np.ones((5, 5)))
        assert np.allclose(center_digit(canvas), original / original.max(), atol=0.02)


def test_black_ink_on_white_paper_is_inverted():
    paper = np.full((100, 100), 255, dtype=np.uint8)
    paper[20:80, 45:55] = 0                  # a dark vertical stroke
    digit = center_digit(paper)
    assert digit.max() == 1 and digit[0, 0] == 0
    assert ink_box(digit) == (20, 3)         # 60 x 10 scaled by 1/3: 20 x 3.33, rounded to 3


def test_rgba_drawing_uses_the_alpha_channel():
    rgba = np.zeros((50, 50, 4), dtype=np.uint8)
    rgba[10:40, 20:30, 3] = 255              # black strokes, drawn only in alpha
    digit = center_digit(rgba)
    assert ink_box(digit) == (20, 7)


def test_tiny_drawings_are_enlarged_to_fill_the_box():
    dot = np.zeros((10, 10))
    dot[4:6, 4:6] = 1
    assert ink_box(center_digit(dot)) == (20, 20)


def test_an_empty_drawing_is_explained():
    with pytest.raises(ValueError, match="drawing is empty.*Draw a digit first"):
        center_digit(np.zeros((280, 280)))


def test_bad_images_are_explained():
    with pytest.raises(ValueError, match=r"shape \(height, width\).*got \(5, 5, 5, 5\)"):
        center_digit(np.ones((5, 5, 5, 5)))
    with pytest.raises(ValueError, match=r"\[0, 1\] or \[0, 255\], got -1 to 1"):
        center_digit(np.array([[-1.0, 1.0], [0.0, 0.0]]))
    with pytest.raises(TypeError, match="numeric array"):
        center_digit(np.array([["a"]]))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_drawings_are_explained(bad):
    everywhere = np.full((20, 20), bad)
    in_one_pixel = np.zeros((20, 20))
    in_one_pixel[5:15, 8:12], in_one_pixel[10, 10] = 1.0, bad
    for image in (everywhere, in_one_pixel, np.dstack([everywhere] * 3)):
        with pytest.raises(ValueError, match="image must contain finite numbers, got NaN or inf"):
            center_digit(image)


def test_an_empty_image_is_explained():
    with pytest.raises(ValueError, match=r"image has no pixels.*got shape \(0, 0\)"):
        center_digit(np.zeros((0, 0)))


def test_resize_matrix_averages_areas():
    # 4 pixels into 3: new pixel k covers old [4k/3, 4(k+1)/3).
    R = resize_matrix(4, 3)
    assert np.allclose(R, [[3 / 4, 1 / 4, 0, 0], [0, 1 / 2, 1 / 2, 0], [0, 0, 1 / 4, 3 / 4]])
    assert np.allclose(R.sum(axis=1), 1)


def test_fit_in_box_keeps_total_ink_per_area():
    image = np.random.default_rng(0).random((60, 30))
    small = fit_in_box(image, 20)
    assert small.shape == (20, 10)
    assert small.mean() == pytest.approx(image.mean())
