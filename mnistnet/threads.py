"""How many threads BLAS may use for training's matrix products.

numpy hands every matrix product (``@``) to a BLAS library (OpenBLAS in numpy's wheels),
which can split one product over several threads. Whether that helps depends on the product
and on the machine at that moment. Measured on a 2-core virtual machine: for 784-100-10 at
batch 32, two threads made a training epoch 0.38 s instead of 0.45 s, but for some minutes
0.56 s; for the videos' 784-16-16-10 they gain nothing (its products are too small for a
second thread to pay off), and for float64 at small batches they were sometimes slower. And
with another program busy on the second core, the second thread waits for that core: the
same products became up to 50 times slower.

A ``Trainer``'s ``blas_threads`` setting says how to choose:

- ``"auto"`` (the default): one thread for small products, all the allowed threads for large
  ones, by a fixed rule (``auto_threads``). Fast on a quiet machine, and the same seed gives
  the same weights bit for bit: products split over 2 threads round differently from
  products on 1, so a count that changed from run to run would change the last digits.
- ``"measure"``: at the start of every epoch, time a few mini-batches with one thread and a
  few with all the allowed threads, and keep the faster (``ThreadChoice``). Right on a busy
  machine too, which is why the training dashboard uses it, at the price of last digits
  that can differ from run to run.
- a whole number n: always n threads.
"""

import contextlib
import numbers

from threadpoolctl import ThreadpoolController

ONE_THREAD_BELOW = 2_000_000   # "auto": 1 thread if a step's largest product has fewer multiply-adds
SMALL_BATCH_FLOAT64 = 64       # "auto": 1 thread for float64 mini-batches up to this size
WARM_UP_STEPS = 3              # "measure": steps right after a switch, not timed (the count settles in)
TRIAL_STEPS = 10               # "measure": then each count is timed for at least this many steps
TRIAL_SECONDS = 0.05           # "measure": and this long, many times a busy core's turn (~4 ms),
TRIAL_SHARE = 0.05             # "measure": unless that is more than this share of an epoch's steps
_BLAS = None                   # threadpoolctl's handle on the BLAS libraries, found once (takes ms)


def _blas():
    """threadpoolctl's controller of the BLAS libraries loaded in this process."""
    global _BLAS
    if _BLAS is None:
        _BLAS = ThreadpoolController().select(user_api="blas")
    return _BLAS


def blas_threads():
    """The number of threads BLAS may use now (1 if no BLAS library was found)."""
    return max((lib.num_threads for lib in _blas().lib_controllers), default=1)


def use_blas_threads(n):
    """Let BLAS use ``n`` threads from now on (for every thread of this process)."""
    for lib in _blas().lib_controllers:
        lib.set_num_threads(n)


@contextlib.contextmanager
def blas_threads_restored():
    """Put BLAS's thread counts back as they were when the ``with`` block is left."""
    # threadpoolctl's limit() notes the counts and sets them back. It also lets go of
    # OpenBLAS on leaving: only one Python thread at a time may change OpenBLAS's count, and a
    # dashboard trains on another thread than the cells do.
    with _blas().limit(limits=None, user_api="blas"):
        yield


def auto_threads(sizes, dtype, batch_size, allowed):
    """The ``"auto"`` rule: 1 thread for small products and small float64 batches, else ``allowed``.

    784-16-16-10 at batch 10 (largest product 125,440 multiply-adds) and 784-100-10 at
    batch 10 (784,000) get 1 thread: there a second thread won as often as it lost. 784-100-10
    at batch 32 (2,508,800) and up get all the allowed threads: they usually win (an epoch
    0.39 s instead of 0.45 s at batch 32, 0.29 s instead of 0.36 s at batch 64, 8 epochs out
    of 8), though in some minutes on our VM, and on a busy machine, they lose: "measure" is
    there to catch that.
    """
    largest = batch_size * max(n_in * n_out for n_in, n_out in zip(sizes, sizes[1:]))
    small_float64 = dtype == "float64" and batch_size <= SMALL_BATCH_FLOAT64
    return 1 if largest < ONE_THREAD_BELOW or small_float64 else allowed


def thread_choice(setting, sizes, dtype, batch_size, steps_per_epoch):
    """A ``ThreadChoice`` for a Trainer's ``blas_threads`` setting, or an explanation."""
    allowed = blas_threads()
    if setting == "auto":
        return ThreadChoice([auto_threads(sizes, dtype, batch_size, allowed)])
    if setting == "measure":
        # Tiny steps would need hundreds to fill TRIAL_SECONDS: cap the trial at a share of
        # the epoch, so that the winner trains most of it.
        most_steps = max(TRIAL_STEPS, int(TRIAL_SHARE * steps_per_epoch))
        return ThreadChoice([1, allowed], most_steps=most_steps)
    if isinstance(setting, numbers.Integral) and not isinstance(setting, bool) and setting >= 1:
        return ThreadChoice([int(setting)])
    raise ValueError(f'blas_threads must be "auto", "measure" or a whole number >= 1, got '
                     f'{setting!r}. "auto" is the default; 1 is never slow on a busy machine.')


class ThreadChoice:
    """Chooses among thread counts by timing training steps with each; one count: no choice.

    At the start of an epoch (``start_epoch()``) nothing is chosen: ``next_threads()`` gives
    one count, then the next, and ``record(n, seconds)`` adds up how long their steps took,
    after the first ``warm_up_steps`` of each (a thread woken up for the first step runs
    slowly for a few). Once each count has been timed for ``trial_steps`` steps and
    ``trial_seconds`` (or for ``most_steps`` steps, if that comes first), the one with the
    shortest mean step wins until the next epoch. The mean, not the median: on a busy
    machine the second thread makes some steps wait for a core for milliseconds, and those
    waits are exactly what must be counted.

    >>> choice = ThreadChoice([1, 2], warm_up_steps=1, trial_steps=2, trial_seconds=0.0)
    >>> for seconds in [0.009, 0.004, 0.004, 0.009, 0.002, 0.002]:
    ...     choice.record(choice.next_threads(), seconds)
    >>> choice.chosen
    2
    """

    def __init__(self, counts, warm_up_steps=WARM_UP_STEPS, trial_steps=TRIAL_STEPS,
                 trial_seconds=TRIAL_SECONDS, most_steps=None):
        self.counts = tuple(dict.fromkeys(counts))       # without repeats, in order
        self.warm_up_steps = warm_up_steps
        self.trial_steps, self.trial_seconds = trial_steps, trial_seconds
        self.most_steps = most_steps
        self._forget()

    def start_epoch(self):
        """Measure again, as the machine may be busier or quieter now (unless still measuring)."""
        if self.chosen is not None:
            self._forget()

    def _forget(self):
        self.warm_ups = {n: 0 for n in self.counts}
        self.steps = {n: 0 for n in self.counts}
        self.seconds = {n: 0.0 for n in self.counts}
        self.chosen = self.counts[0] if len(self.counts) == 1 else None

    def _tried(self, n):
        long_enough = self.steps[n] >= self.trial_steps and self.seconds[n] >= self.trial_seconds
        return long_enough or (self.most_steps is not None and self.steps[n] >= self.most_steps)

    def next_threads(self):
        """The thread count for the next step: the chosen one, or the one being tried."""
        if self.chosen is not None:
            return self.chosen
        # One count after the other, not alternating: a thread left idle for a step goes to
        # sleep, and waking it up would be timed as part of the next step.
        return next(n for n in self.counts if not self._tried(n))

    def record(self, threads, seconds):
        """Note that a step with ``threads`` threads took ``seconds``; choose once all are tried."""
        if self.chosen is not None:
            return
        if self.warm_ups[threads] < self.warm_up_steps:
            self.warm_ups[threads] += 1
            return
        self.steps[threads] += 1
        self.seconds[threads] += seconds
        if all(self._tried(n) for n in self.counts):
            self.chosen = min(self.counts, key=lambda n: self.seconds[n] / self.steps[n])
