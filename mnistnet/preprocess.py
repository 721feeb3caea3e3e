"""Turn a drawing into a digit the network can read, the way MNIST's digits were made.

MNIST's creators took each scanned digit, scaled it to fit a 20x20 box keeping its shape
(anti-aliasing gives the grey edges), and placed it in a 28x28 image so that its centre of mass
(the average position of the ink) sits at the centre. A network trained on those digits
expects exactly that, so a drawing must go through the same steps before it is shown to one:

1. grey levels in [0, 1], white ink on black (``as_ink``);
2. crop to the ink (``crop_to_ink``);
3. fit into 20x20 keeping the aspect ratio (``fit_in_box``, an area-averaging resize);
4. shift so the centre of mass lands on pixel (14, 14) of a 28x28 image (``place_by_mass``).
"""

import numpy as np

SIZE = 28   # MNIST images are 28x28
BOX = 20    # the digit itself fits in 20x20
CENTRE = 14.0  # MNIST digits' mean centre of mass, (row, column), measured on the test set
INK = 0.05  # grey level above which a pixel counts as ink when cropping


def center_digit(image):
    """Make an MNIST-style 28x28 digit out of a drawing of any size.

    Parameters
    ----------
    image : array, shape (height, width), (height, width, 3) or (height, width, 4)
        The drawing. Grey levels in [0, 1] or 0-255; white-on-black or black-on-white (the
        colour of the border decides which is ink); colour images are averaged to grey and
        an alpha channel, if any, is applied over black.

    Returns
    -------
    array, shape (28, 28), float32 in [0, 1]
        White ink on black, the brightest ink at 1, fitted in 20x20 and centred by centre of
        mass. Flatten it with ``.reshape(1, 784)`` to give it to a network.

    Raises
    ------
    TypeError
        If the image does not hold real numbers (e.g. it holds strings).
    ValueError
        If the image has no pixels, has another shape, contains NaN or infinity, or has
        values below 0 or above 255; or if the drawing has no ink.
    """
    ink = as_ink(image)
    if ink.max() <= INK:
        raise ValueError("The drawing is empty: there is no ink to read. Draw a digit first.")
    digit = fit_in_box(crop_to_ink(ink), BOX)
    digit = digit / digit.max()
    return place_by_mass(digit, SIZE).astype(np.float32)


def as_ink(image):
    """Grey levels in [0, 1] where 1 is ink and 0 is background, shape (height, width)."""
    image = np.asarray(image)
    if image.dtype == bool:
        image = image.astype(float)
    if image.dtype.kind not in "iuf":      # (bool was made float above)
        raise TypeError(f"image must be a numeric array (grey levels), got dtype {image.dtype}. "
                        "Pass the drawing's pixels, e.g. as np.asarray(drawing, dtype=float).")
    if image.size == 0:
        raise ValueError(f"image has no pixels: got shape {image.shape}. "
                         "Pass a drawing at least 1 pixel high and wide.")
    if not np.isfinite(image).all():
        raise ValueError("image must contain finite numbers, got NaN or infinity. "
                         "Check how the drawing was made or converted.")
    if image.ndim == 3 and image.shape[2] in (3, 4):
        image = _colour_to_grey(image)
    if image.ndim != 2:
        raise ValueError(f"image must have shape (height, width) or (height, width, 3 or 4), "
                         f"got {image.shape}.")
    grey = _scale_to_unit(image.astype(float))
    if _border(grey).mean() > 0.5:   # a light background: black ink on white paper
        grey = 1.0 - grey
    return grey


def _colour_to_grey(image):
    """Average the colour channels; an alpha channel makes transparent pixels background."""
    rgb = _scale_to_unit(image[..., :3].astype(float)).mean(axis=2)
    if image.shape[2] == 3:
        return rgb
    alpha = _scale_to_unit(image[..., 3].astype(float))
    if np.ptp(rgb) == 0:   # one colour everywhere: the drawing is in the alpha channel
        return alpha
    return rgb * alpha


def _scale_to_unit(image):
    """Values 0-255 (or 0-1) as floats in [0, 1]."""
    low, high = image.min(), image.max()
    if low < 0 or high > 255:
        raise ValueError(f"pixel values must lie in [0, 1] or [0, 255], got {low:g} to {high:g}.")
    return image / 255.0 if high > 1 else image


def _border(image):
    return np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])


def crop_to_ink(ink):
    """The smallest rectangle that holds every pixel brighter than ``INK``."""
    rows = np.flatnonzero((ink > INK).any(axis=1))
    cols = np.flatnonzero((ink > INK).any(axis=0))
    return ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def fit_in_box(image, box):
    """Resize so the longer side is ``box`` pixels, keeping the aspect ratio.

    Each new pixel is the area-weighted average of the old pixels it covers, which is what
    smooths (anti-aliases) the edges when shrinking.
    """
    height, width = image.shape
    scale = box / max(height, width)
    new_height = max(1, round(height * scale))
    new_width = max(1, round(width * scale))
    return resize_matrix(height, new_height) @ image @ resize_matrix(width, new_width).T


def resize_matrix(n_old, n_new):
    """The (n_new, n_old) matrix that resamples a row of pixels by area averaging.

    Old pixel i covers [i, i+1) and new pixel k covers [k, k+1)·n_old/n_new; entry (k, i) is
    the share of new pixel k that old pixel i covers, so each row sums to 1.
    """
    edges_new = np.arange(n_new + 1) * (n_old / n_new)
    start = np.maximum(edges_new[:-1, None], np.arange(n_old)[None, :])
    stop = np.minimum(edges_new[1:, None], np.arange(1, n_old + 1)[None, :])
    overlap = np.clip(stop - start, 0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def centre_of_mass(image):
    """The ink-weighted mean (row, column) of an image."""
    rows, cols = np.indices(image.shape)
    total = image.sum()
    return (rows * image).sum() / total, (cols * image).sum() / total


def place_by_mass(digit, size):
    """Put ``digit`` into a ``size`` x ``size`` black image with its centre of mass at the centre.

    The shift is a whole number of pixels (no blurring), so the centre of mass lands within
    half a pixel of (14, 14); it is limited so that no ink falls off the edge.
    """
    height, width = digit.shape
    row, col = centre_of_mass(digit)
    top = int(np.clip(round(CENTRE - row), 0, size - height))
    left = int(np.clip(round(CENTRE - col), 0, size - width))
    out = np.zeros((size, size))
    out[top:top + height, left:left + width] = digit
    return out
