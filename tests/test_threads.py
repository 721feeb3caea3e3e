"""Tests for mnistnet.threads: how training chooses BLAS's thread count, and sets it back."""

import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from mnistnet.network import Network
from mnistnet.threads import ThreadChoice, auto_threads, blas_threads, thread_choice
from mnistnet.train import Trainer, train


@pytest.fixture
def two_threads():
    """BLAS allowed 2 threads for the test (skipped where BLAS cannot have 2)."""
    with threadpool_limits(limits=2, user_api="blas"):
        if blas_threads() != 2:
            pytest.skip("BLAS cannot use 2 threads here")
        yield


def timed(choice, step_seconds):
    """Feed ``choice`` steps that take ``step_seconds[n]`` with n threads; the counts used."""
    used = []
    while choice.chosen is None:
        n = choice.next_threads()
        choice.record(n, step_seconds[n])
        used.append(n)
    return used


# --- ThreadChoice: the bookkeeping ----------------------------------------------------------

@pytest.mark.parametrize("step_seconds, faster", [({1: 0.002, 2: 0.001}, 2),
                                                  ({1: 0.001, 2: 0.003}, 1)])
def test_the_count_with_shorter_steps_wins(step_seconds, faster):
    choice = ThreadChoice([1, 2], warm_up_steps=2, trial_steps=5, trial_seconds=0.0)
    used = timed(choice, step_seconds)
    assert used == [1] * 7 + [2] * 7               # one count after the other, warm-ups too
    assert choice.chosen == faster
    assert choice.next_threads() == faster


def test_warm_up_steps_are_not_timed():
    choice = ThreadChoice([1, 2], warm_up_steps=1, trial_steps=3, trial_seconds=0.0)
    for n, seconds in [(1, 0.001)] * 4 + [(2, 5.0)] + [(2, 0.0005)] * 3:   # 2's first: 5 s
        assert choice.next_threads() == n
        choice.record(n, seconds)
    assert choice.chosen == 2


def test_each_count_is_timed_long_enough_not_just_for_enough_steps():
    choice = ThreadChoice([1, 2], warm_up_steps=0, trial_steps=2, trial_seconds=0.01)
    used = timed(choice, {1: 0.001, 2: 0.002})
    assert used == [1] * 10 + [2] * 5
    assert choice.chosen == 1


def test_a_slow_step_of_a_busy_machine_counts_in_the_mean():
    # Two threads: fast steps, but every fifth one waits 4 ms for a core.
    choice = ThreadChoice([1, 2], warm_up_steps=0, trial_steps=10, trial_seconds=0.0)
    two = iter([0.0005, 0.0005, 0.0005, 0.0005, 0.004] * 2)
    while choice.chosen is None:
        n = choice.next_threads()
        choice.record(n, 0.001 if n == 1 else next(two))
    assert choice.chosen == 1                       # mean 1.2 ms against 1 ms (median: 0.5 ms)


def test_each_epoch_measures_again_but_an_unfinished_trial_goes_on():
    choice = ThreadChoice([1, 2], warm_up_steps=0, trial_steps=3, trial_seconds=0.0)
    for _ in range(4):                              # 3 steps of 1, one of 2: not finished
        choice.record(choice.next_threads(), 0.001)
    choice.start_epoch()
    assert choice.next_threads() == 2 and choice.steps == {1: 3, 2: 1}
    timed(choice, {1: 0.001, 2: 0.002})
    assert choice.chosen == 1
    choice.start_epoch()
    assert choice.chosen is None and choice.next_threads() == 1


def test_one_count_is_chosen_from_the_start_and_never_timed():
    choice = ThreadChoice([2, 2])
    assert choice.counts == (2,) and choice.chosen == 2
    choice.record(2, 1.0)
    choice.start_epoch()
    assert choice.chosen == 2 and choice.steps == {2: 0}


# --- the settings ---------------------------------------------------------------------------

@pytest.mark.parametrize("sizes, dtype, batch_size, expected", [
    ([784, 16, 16, 10], "float32", 10, 1),           # the videos' network: tiny products
    ([784, 16, 16, 10], "float32", 100, 1),          # 1,254,400 multiply-adds
    ([784, 100, 10], "float32", 10, 1),              # 784,000
    ([784, 100, 10], "float32", 32, 4),              # 2,508,800: all the allowed threads
    ([784, 100, 10], "float32", 128, 4),             # 10,035,200: all the allowed threads
    ([784, 300, 10], "float64", 64, 1),              # float64, small batch (15,052,800)
    ([784, 100, 10], "float64", 128, 4),
])
def test_auto_rule(sizes, dtype, batch_size, expected):
    assert auto_threads(sizes, np.dtype(dtype), batch_size, allowed=4) == expected


@pytest.mark.parametrize("setting", ["fast", 0, -1, 1.5, True, None])
def test_a_bad_setting_is_explained(sample, setting):
    with pytest.raises(ValueError, match='"auto", "measure" or a whole number >= 1'):
        Trainer(Network([784, 10]), sample.train_images[:10], sample.train_labels[:10],
                epochs=1, batch_size=10, learning_rate=0.1, blas_threads=setting)


def test_settings_give_the_counts_they_promise(two_threads):
    assert thread_choice("measure", [784, 10], np.dtype("float32"), 10, 100).counts == (1, 2)
    assert thread_choice("auto", [784, 100, 10], np.dtype("float32"), 128, 100).counts == (2,)
    assert thread_choice(3, [784, 10], np.dtype("float32"), 10, 100).counts == (3,)


def test_tiny_steps_are_timed_for_a_share_of_the_epoch_not_for_the_full_time():
    choice = ThreadChoice([1, 2], warm_up_steps=0, trial_steps=2, trial_seconds=1.0,
                          most_steps=4)
    used = timed(choice, {1: 0.001, 2: 0.002})     # 1 s would take 1,000 steps
    assert used == [1] * 4 + [2] * 4 and choice.chosen == 1


# --- the Trainer sets the count while it trains, and puts it back ----------------------------

def threads_per_step(sample, n_train, sizes, batch_size, epochs=1, **settings):
    """BLAS's thread count during each step of a training run, and the run's history."""
    seen = []
    trainer = Trainer(Network(sizes, activation="relu", cost="cross_entropy", rng=0),
                      sample.train_images[:n_train], sample.train_labels[:n_train],
                      epochs=epochs, batch_size=batch_size, learning_rate=0.05, rng=0,
                      on_batch=lambda trainer: seen.append(blas_threads()), **settings)
    return seen, trainer.run()


@pytest.mark.parametrize("sizes, batch_size, expected", [([784, 16, 16, 10], 10, 1),
                                                         ([784, 100, 10], 128, 2)])
def test_auto_trains_with_the_rules_count_and_sets_it_back(sample, two_threads, sizes,
                                                           batch_size, expected):
    seen, history = threads_per_step(sample, 640, sizes, batch_size)
    assert set(seen) == {expected} and history.blas_threads == [expected]
    assert blas_threads() == 2


def test_a_fixed_count_is_used_and_set_back(sample, two_threads):
    seen, history = threads_per_step(sample, 320, [784, 100, 10], 32, blas_threads=1)
    assert set(seen) == {1} and history.blas_threads == [1]
    assert blas_threads() == 2


def test_measure_tries_one_thread_then_two_then_keeps_the_faster(sample, two_threads):
    # ~2 ms steps, 100 per epoch: long enough for both 0.05 s trials within the first epoch
    seen, history = threads_per_step(sample, 10_000, [784, 800, 10], 100, epochs=2,
                                     blas_threads="measure")
    epoch_1 = seen[:len(seen) // 2]
    switch = epoch_1.index(2)                       # the first step with 2 threads
    assert switch >= 13 and set(epoch_1[:switch]) == {1}
    chosen = history.blas_threads[0]
    assert chosen in (1, 2) and epoch_1[-1] == chosen
    assert history.blas_threads[1] in (1, 2) and len(history.blas_threads) == 2
    assert blas_threads() == 2


def test_measure_on_short_steps_spends_little_of_the_epoch_measuring(sample, two_threads):
    # The dashboard's default: the videos' network at batch 10, ~50 µs steps. Timing each
    # count for 0.05 s would take most of a 500-step epoch; the trial is capped at 5 % of it.
    seen, history = threads_per_step(sample, 5000, [784, 16, 16, 10], 10,
                                     blas_threads="measure")
    chosen = history.blas_threads[0]
    assert chosen in (1, 2) and len(seen) == 500
    other = 2 if chosen == 1 else 1
    assert seen.count(other) <= 3 + 25             # warm-up steps + 5 % of 500 steps


def test_auto_gives_the_same_weights_bit_for_bit_even_on_two_threads(sample, two_threads):
    # 784-100-10 at batch 128: the products are split over 2 threads, which round differently
    # from 1 thread; "auto" always picks the same count, so the same seed repeats exactly.
    runs = []
    for _ in range(2):
        net = Network([784, 100, 10], activation="relu", cost="cross_entropy", rng=1)
        history = train(net, sample.train_images[:2000], sample.train_labels[:2000], epochs=2,
                        batch_size=128, learning_rate=0.1, rng=2)
        runs.append((net.weights[0], history.batch_costs, history.blas_threads))
    (weights_a, costs_a, threads_a), (weights_b, costs_b, threads_b) = runs
    assert threads_a == threads_b == [2, 2]
    assert costs_a == costs_b
    np.testing.assert_array_equal(weights_a, weights_b)


def test_another_python_thread_can_set_the_count_after_training_on_this_one(sample):
    # OpenBLAS's count may be changed by one Python thread at a time (threadpoolctl ignores the
    # others). Training must let go of it when it ends: a dashboard trains on another thread
    # of the kernel after cells have trained on the main one. (No `two_threads` fixture here:
    # its `with` would hold on to OpenBLAS for the whole test.)
    before = blas_threads()
    if before < 2:
        pytest.skip("BLAS runs on 1 thread here: nothing to set")
    train(Network([784, 10], rng=0), sample.train_images[:100], sample.train_labels[:100],
          epochs=1, batch_size=10, learning_rate=0.1, blas_threads=1)
    seen = []
    worker = threading.Thread(target=lambda: seen.append(
        threads_per_step(sample, 320, [784, 100, 10], 32, blas_threads=1)[0]))
    worker.start()
    worker.join(timeout=60)
    assert set(seen[0]) == {1}
    assert blas_threads() == before


def test_when_another_thread_holds_openblas_the_history_says_the_count_in_force(sample):
    # threadpoolctl lets one Python thread at a time change OpenBLAS's count and ignores the
    # others. A thread inside `with threadpool_limits(2)` holds it while this one trains with
    # blas_threads=1: the count really used and the one recorded must agree.
    if blas_threads() < 2:
        pytest.skip("BLAS runs on 1 thread here: nothing to hold")
    holding, release = threading.Event(), threading.Event()

    def hold():
        with threadpool_limits(limits=2, user_api="blas"):
            holding.set()
            release.wait(timeout=60)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        holding.wait(timeout=60)
        seen, history = threads_per_step(sample, 320, [784, 100, 10], 32, blas_threads=1)
    finally:
        release.set()
        holder.join(timeout=60)
    assert len(set(seen)) == 1 and history.blas_threads == seen[:1]
