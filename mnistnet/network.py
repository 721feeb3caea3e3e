"""The network: layers of neurons, the forward pass, and backpropagation on a whole batch.

``Network([784, 16, 16, 10])`` is the network of the 3Blue1Brown videos: 784 input pixels,
two hidden layers of 16 neurons and 10 outputs, one per digit. The names follow lesson 2's
notation table:

=================================  =====================  =======================
lesson                             code                   shape
=================================  =====================  =======================
inputs X, one-hot targets Y        ``X``, ``Y``           (n, 784), (n, 10)
W^(l), b^(l) (into layer l)        ``weights[l-1]``,      (n_l, n_{l-1}), (n_l,)
                                   ``biases[l-1]``
z^(l), a^(l)                       ``zs[l]``,             (n, n_l)
                                   ``activations[l]``
∂C/∂W^(l), ∂C/∂b^(l)               ``weight_grads[l-1]``  like ``weights[l-1]``
=================================  =====================  =======================

Rows are examples, so z = W a + b for one example becomes ``a_prev @ W.T + b`` for a batch.
"""

import numbers

import numpy as np

from mnistnet.activations import ACTIVATIONS
from mnistnet.costs import COSTS
from mnistnet.data import one_hot

INITS = ("uniform", "normal", "xavier", "he")
DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def all_finite(array):
    """True if ``array`` holds no NaN and no infinity.

    Looks at the smallest and largest entries only (a NaN anywhere makes both NaN), so a
    check of the whole training set needs no temporary array as large as the set itself.
    """
    return array.size == 0 or bool(np.isfinite(array.min()) and np.isfinite(array.max()))


class Network:
    """A fully connected feed-forward network.

    Parameters
    ----------
    sizes : sequence of int
        Neurons per layer, input first: ``[784, 16, 16, 10]`` means 784 inputs, two hidden
        layers of 16 neurons and 10 outputs.
    activation : {"sigmoid", "relu", "tanh"}
        Activation of the hidden layers.
    cost : {"quadratic", "cross_entropy"}
        The cost; it also fixes the output layer: sigmoid for ``"quadratic"`` (the videos'
        network), softmax for ``"cross_entropy"``.
    init : {"uniform", "normal", "xavier", "he"}, optional
        How the first weights are drawn. ``"uniform"``: weights and biases uniform in
        [−0.5, 0.5), as in the original notebook. ``"normal"``: weights and biases standard
        normal, as in Nielsen's ``network.py``. ``"xavier"`` (Glorot): weights normal with
        variance 2 / (n_in + n_out), biases 0; the default for sigmoid and tanh. ``"he"``:
        weights normal with variance 2 / n_in, biases 0; the default for relu.
    dtype : numpy float dtype
        ``np.float32`` (default: twice as fast) or ``np.float64`` (gradient checks).
    rng : int, numpy.random.Generator or None
        Seed or generator for the initial weights; None draws a fresh seed.

    Attributes
    ----------
    sizes : list of int
    weights : list of ndarray
        ``weights[l-1]`` is W^(l), shape ``(sizes[l], sizes[l-1])``.
    biases : list of ndarray
        ``biases[l-1]`` is b^(l), shape ``(sizes[l],)``.
    activation, cost, init : str
        The names chosen.
    dtype : numpy.dtype
    """

    def __init__(self, sizes, *, activation="sigmoid", cost="quadratic", init=None,
                 dtype=np.float32, rng=None):
        self.sizes = _check_sizes(sizes)
        self.activation = _check_name("activation", activation, ACTIVATIONS)
        self.cost = _check_name("cost", cost, COSTS)
        if init is None:
            init = "he" if activation == "relu" else "xavier"
        self.init = _check_name("init", init, INITS)
        self.dtype = _check_dtype(dtype)
        self.weights, self.biases = initial_parameters(self.sizes, self.init, as_generator(rng))
        self.weights = [W.astype(self.dtype) for W in self.weights]
        self.biases = [b.astype(self.dtype) for b in self.biases]

    @classmethod
    def from_parameters(cls, weights, biases, *, activation="sigmoid", cost="quadratic",
                        init="xavier", dtype=None):
        """Build a network around given weights and biases (copied), checking their shapes.

        ``weights[l-1]`` must have shape ``(n_l, n_{l-1})`` and ``biases[l-1]`` shape
        ``(n_l,)``; the sizes are read from them. ``dtype`` defaults to the weights' dtype.
        """
        if len(weights) == 0 or len(weights) != len(biases):
            raise ValueError(
                f"weights and biases must be two non-empty lists of the same length, got "
                f"{len(weights)} weight matrices and {len(biases)} bias vectors."
            )
        weights = [np.asarray(W) for W in weights]
        for l, W in enumerate(weights, start=1):
            if W.ndim != 2:
                raise ValueError(f"layer {l}: weights must be a matrix (2-D), got shape {W.shape}.")
        sizes = [weights[0].shape[1]] + [W.shape[0] for W in weights]
        for l, (W, b) in enumerate(zip(weights, biases), start=1):
            b = np.asarray(b)
            if W.shape != (sizes[l], sizes[l - 1]) or b.shape != (sizes[l],):
                raise ValueError(
                    f"layer {l}: weights must have shape (n_l, n_(l-1)) = ({sizes[l]}, "
                    f"{sizes[l - 1]}) and biases ({sizes[l]},), got {W.shape} and {b.shape}. "
                    "Each weight matrix's columns must match the previous layer's neurons."
                )
        dtype = weights[0].dtype if dtype is None else dtype
        network = cls(sizes, activation=activation, cost=cost, init="uniform", dtype=dtype, rng=0)
        network.init = _check_name("init", init, INITS)
        network.weights = [np.array(W, dtype=network.dtype) for W in weights]
        network.biases = [np.array(b, dtype=network.dtype) for b in biases]
        for W, b in zip(network.weights, network.biases):
            if not (np.isfinite(W).all() and np.isfinite(b).all()):
                raise ValueError("weights and biases must be finite numbers, got NaN or infinity.")
        return network

    @property
    def _activation(self):
        """The hidden layers' (function, derivative) pair the name stands for."""
        return ACTIVATIONS[self.activation]

    @property
    def _cost(self):
        """The cost (output, value, delta) the name stands for."""
        return COSTS[self.cost]

    def __repr__(self):
        return (f"Network({self.sizes}, activation={self.activation!r}, cost={self.cost!r}, "
                f"init={self.init!r}, dtype={self.dtype.name})")

    def copy(self):
        """An independent copy: same settings, its own copies of the weights and biases."""
        return Network.from_parameters(self.weights, self.biases, activation=self.activation,
                                       cost=self.cost, init=self.init, dtype=self.dtype)

    # --- the forward pass -------------------------------------------------------------

    def forward(self, X):
        """The network's answer for a batch: the output activations.

        Parameters
        ----------
        X : array_like, shape (n, sizes[0])
            One input per row (a single image: ``x.reshape(1, -1)``).

        Returns
        -------
        ndarray, shape (n, sizes[-1])
        """
        return self._forward(self.check_inputs(X))

    def _forward(self, X):
        """``forward`` without the input checks (X already a checked array)."""
        sigma, output = self._layer_functions()
        a, L = X, len(self.sizes) - 1
        for l in range(1, L + 1):
            z = a @ self.weights[l - 1].T                          # (n, n_l)
            z += self.biases[l - 1]
            a = output(z) if l == L else sigma(z)
        return a

    def feedforward(self, X):
        """Every layer's weighted inputs z and activations a for a batch (lesson 2).

        Parameters
        ----------
        X : array_like, shape (n, sizes[0])

        Returns
        -------
        zs : list
            ``zs[l]`` is z^(l), shape ``(n, sizes[l])``; ``zs[0]`` is None (the input layer
            has no weighted input).
        activations : list
            ``activations[l]`` is a^(l), shape ``(n, sizes[l])``; ``activations[0]`` is X.
        """
        return self._feedforward(self.check_inputs(X))

    def _feedforward(self, X):
        """``feedforward`` without the input checks (X already a checked array)."""
        sigma, output = self._layer_functions()
        zs, activations, L = [None], [X], len(self.sizes) - 1
        for l in range(1, L + 1):
            z = activations[l - 1] @ self.weights[l - 1].T          # (n, n_l)
            z += self.biases[l - 1]                                # in place: one pass fewer
            zs.append(z)
            activations.append(output(z) if l == L else sigma(z))
        return zs, activations

    def _layer_functions(self):
        """σ for the hidden layers and the cost's own output activation for the last layer.

        Looked up once per pass rather than once per layer: at small batches a training
        step is short enough that such look-ups show up in its time.
        """
        return self._activation.function, self._cost.output

    # --- cost and backpropagation -------------------------------------------------------

    def cost_of(self, X, Y):
        """The cost of a batch: the mean over its examples of the per-example cost.

        Parameters
        ----------
        X : array_like, shape (n, sizes[0])
        Y : array_like, shape (n, sizes[-1]) one-hot, or (n,) digit labels

        Returns
        -------
        float
        """
        X = self.check_batch(X, "cost")
        Y = self.check_targets(Y, len(X))
        zs, activations = self._feedforward(X)
        return self._cost.value(zs[-1], activations[-1], Y)

    def gradients(self, X, Y):
        """The gradient of ``cost_of(X, Y)`` by backpropagation (lesson 3).

        Parameters
        ----------
        X : array_like, shape (n, sizes[0])
        Y : array_like, shape (n, sizes[-1]) one-hot, or (n,) digit labels

        Returns
        -------
        weight_grads : list of ndarray
            ``weight_grads[l-1]`` = ∂C/∂W^(l), shaped like ``weights[l-1]``.
        bias_grads : list of ndarray
            ``bias_grads[l-1]`` = ∂C/∂b^(l), shaped like ``biases[l-1]``.
        """
        X = self.check_batch(X, "gradient")
        Y = self.check_targets(Y, len(X))
        _, weight_grads, bias_grads = self._backprop(X, Y)
        return weight_grads, bias_grads

    def _backprop(self, X, Y, scale=1.0):
        """The four backpropagation equations on a whole batch; returns the cost too.

        ``X`` (n, sizes[0]) and one-hot ``Y`` (n, sizes[-1]) must already be checked arrays
        of the network's dtype. Returns ``(cost, weight_grads, bias_grads)``, the gradients
        multiplied by ``scale`` (training passes the learning rate: multiplying the small
        delta once is cheaper than multiplying every gradient afterwards).
        """
        zs, activations = self._feedforward(X)
        L = len(self.sizes) - 1                                   # the output layer
        cost = self._cost.value(zs[L], activations[L], Y)
        weight_grads, bias_grads = [None] * L, [None] * L
        # delta is ∂C/∂z for the batch cost C, a mean over the n examples, so it carries
        # the 1/n; dividing once here is cheaper than dividing every gradient.
        delta = self._cost.delta(zs[L], activations[L], Y) * (scale / len(X))      # BP1, (n, n_L)
        for l in range(L, 0, -1):
            weight_grads[l - 1] = delta.T @ activations[l - 1]                      # BP4, (n_l, n_{l-1})
            bias_grads[l - 1] = delta.sum(axis=0)                                   # BP3, (n_l,)
            if l > 1:
                sigma_prime = self._activation.derivative(zs[l - 1], activations[l - 1])
                delta = (delta @ self.weights[l - 1]) * sigma_prime                 # BP2, (n, n_{l-1})
        return cost, weight_grads, bias_grads

    # --- answers ----------------------------------------------------------------------

    def predict(self, X):
        """The digit the network picks for each input: the index of its largest output.

        Returns
        -------
        ndarray of int, shape (n,)
        """
        return self._predict(self.check_inputs(X))

    def _predict(self, X):
        """``predict`` without the input checks (X already a checked array)."""
        # 1,000 rows at a time: the answer is the same, and a wide layer's z and a for the
        # whole test set (10,000 x 800 floats, twice) never need to be in memory at once.
        chunks = [X[start:start + 1000] for start in range(0, max(len(X), 1), 1000)]
        return np.concatenate([self._forward(chunk).argmax(axis=1) for chunk in chunks])

    def accuracy(self, X, labels):
        """The fraction of inputs whose predicted digit equals the label, a float in [0, 1].

        Parameters
        ----------
        X : array_like, shape (n, sizes[0])
        labels : array_like of int, shape (n,)
        """
        X = self.check_batch(X, "accuracy")
        labels = self.check_labels(labels, len(X))
        return float((self._predict(X) == labels).mean())

    # --- checks of user input -----------------------------------------------------------

    def check_inputs(self, X):
        """Return X as an array of the network's dtype, or explain what is wrong with it."""
        X = np.asarray(X)
        if X.dtype.kind not in "biuf":
            raise TypeError(f"X must hold numbers, got an array of dtype {X.dtype}. "
                            "Convert it with np.asarray(X, dtype=float).")
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            hint = ("For a single image use x.reshape(1, -1)." if X.size == self.sizes[0] else
                    "For 28x28 images use images.reshape(len(images), -1).")
            raise ValueError(f"X must have shape (n, {self.sizes[0]}), got {X.shape}. {hint}")
        X = X.astype(self.dtype, copy=False)
        if not all_finite(X):
            raise ValueError("X must contain finite numbers, got NaN or infinity. "
                             "Check how the images were loaded or scaled.")
        return X

    def check_batch(self, X, what):
        """Return X as ``check_inputs`` does, refusing a batch with no rows.

        ``what`` (``"cost"``, ``"gradient"``, ``"accuracy"``) is a mean over the rows, and a
        mean over zero examples is undefined.
        """
        X = self.check_inputs(X)
        if len(X) == 0:
            raise ValueError(f"X has no rows: the {what} of an empty batch is undefined (a mean "
                             "over zero examples). Pass at least one example.")
        return X

    def check_labels(self, labels, n):
        """Return digit labels as an int array of shape (n,), or explain what is wrong."""
        labels = np.asarray(labels)
        n_classes = self.sizes[-1]
        if labels.ndim != 1 or len(labels) != n:
            raise ValueError(f"labels must have shape ({n},), one per row of X, got {labels.shape}.")
        if labels.dtype.kind not in "iu":
            raise TypeError(f"labels must be integers 0-{n_classes - 1}, got dtype {labels.dtype}. "
                            "Convert them with labels.astype(int).")
        if n and (labels.min() < 0 or labels.max() >= n_classes):
            raise ValueError(f"labels must be in 0-{n_classes - 1} (the network has {n_classes} "
                             f"outputs), got values from {labels.min()} to {labels.max()}.")
        return labels

    def check_targets(self, Y, n):
        """Return targets as one-hot rows of shape (n, sizes[-1]), from one-hot rows or labels."""
        Y = np.asarray(Y)
        n_classes = self.sizes[-1]
        if Y.ndim == 1:
            return one_hot(self.check_labels(Y, n), n_classes, self.dtype)
        if Y.ndim != 2 or Y.shape != (n, n_classes):
            raise ValueError(f"Y must have shape ({n}, {n_classes}) (one-hot rows) or ({n},) "
                             f"(digit labels), got {Y.shape}. Each row of X needs one target.")
        if Y.dtype.kind not in "biuf":
            raise TypeError(f"Y must hold numbers, got an array of dtype {Y.dtype}.")
        Y = Y.astype(self.dtype, copy=False)
        if not np.isfinite(Y).all():
            raise ValueError("Y must contain finite numbers, got NaN or infinity.")
        return Y


def initial_parameters(sizes, init, rng):
    """Draw the first weights and biases (float64) for layers of the given sizes.

    Returns
    -------
    weights, biases : lists of ndarray
        Shapes ``(sizes[l], sizes[l-1])`` and ``(sizes[l],)`` for l = 1 … L.
    """
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        if init == "uniform":                          # the original notebook
            W = rng.uniform(-0.5, 0.5, (n_out, n_in))
            b = rng.uniform(-0.5, 0.5, n_out)
        elif init == "normal":                         # Nielsen's network.py
            W = rng.standard_normal((n_out, n_in))
            b = rng.standard_normal(n_out)
        elif init == "xavier":                         # Glorot & Bengio (2010)
            W = rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / (n_in + n_out))
            b = np.zeros(n_out)
        else:                                          # "he": He et al. (2015)
            W = rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)
            b = np.zeros(n_out)
        weights.append(W)
        biases.append(b)
    return weights, biases


def as_generator(rng):
    """A numpy Generator from a seed (int), a Generator (used as is) or None (fresh seed)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng must be a seed >= 0 (a whole number from 0 up), got {rng}. "
                             "For example rng=0.")
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be an int seed, a numpy.random.Generator or None, got "
                    f"{type(rng).__name__}. For example rng=0 or rng=np.random.default_rng(0).")


def _check_sizes(sizes):
    """Return sizes as a list of positive ints, or explain what is wrong."""
    try:
        sizes = list(sizes)
    except TypeError:
        raise TypeError(f"sizes must be a list of layer sizes such as [784, 16, 16, 10], "
                        f"got {sizes!r}.") from None
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least 2 layers (inputs and outputs), got {sizes}. "
                         "For example [784, 16, 16, 10].")
    for size in sizes:
        if not isinstance(size, numbers.Integral) or isinstance(size, bool):
            raise TypeError(f"sizes must be whole numbers, got {size!r} in {sizes}.")
        if size <= 0:
            raise ValueError(f"every layer needs at least 1 neuron, got {size} in {sizes}.")
    return [int(size) for size in sizes]


def _check_name(what, name, known):
    """Return name if it is one of the known ones, or list them."""
    if name not in known:
        raise ValueError(f"unknown {what} {name!r}; choose one of: {', '.join(known)}.")
    return name


def _check_dtype(dtype):
    """Return dtype as a numpy dtype if it is float32 or float64, or explain."""
    try:
        checked = np.dtype(dtype)
    except TypeError:
        checked = None
    if checked is None or checked not in DTYPES:     # (np.dtype(None) is float64!)
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}. "
                        "float32 trains fastest; gradient checks use float64.")
    return checked
