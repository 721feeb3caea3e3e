"""mnistnet's speed and accuracy, measured: against PyTorch, the matrix products, and issue 6's targets.

    python benchmarks/bench.py            # everything, a few minutes (`make bench`)
    python benchmarks/bench.py --quick    # a subset, about a minute
    python benchmarks/bench.py --help     # epochs, threads, sections

Prints each section as it finishes and writes them all to benchmarks/RESULTS.md.
Needs PyTorch (``pip install torch==2.13.0``, CPU) and the full MNIST set.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

try:
    import torch  # noqa: F401  (only to say plainly when it is missing)
except ImportError:
    sys.exit("The benchmark compares mnistnet with PyTorch, which is not installed here. Run "
             "`make bench` once (it installs torch==2.13.0, CPU only, into .venv), or "
             "`.venv/bin/python -m pip install torch==2.13.0`.")

import accuracy
import original_loop
import speed
from common import load_full_mnist, machine_info, summarise, use_clock
from mnistnet.presets import VIDEOS_TUNED

HERE = Path(__file__).parent
# mnistnet / PyTorch time per epoch, float32 (issue 6), keyed by batch size.
RATIO_TARGETS = {10: 0.3, 32: 0.45, 128: 0.65}
FLOOR_TARGET = 1.5
MEMORY_TARGET_MB = 350
VIDEOS_TARGET, BEST_TARGET, BEST_SECONDS = 0.95, 0.984, 30.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="3 configurations, 2 epochs, no accuracy runs (about a minute)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="timed epochs per configuration (default 5, or 2 with --quick)")
    parser.add_argument("--threads", type=int, default=2,
                        help="threads for PyTorch and for numpy's BLAS (default 2)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="time with the wall clock (default) or the process's CPU time, "
                             "which other busy processes do not inflate (needs --threads 1)")
    parser.add_argument("--sections", nargs="+", default=None,
                        choices=["speed", "floor", "threads", "original", "memory", "accuracy"],
                        help="run only these sections")
    parser.add_argument("--search", action="store_true",
                        help="also compare the candidate best recipes on the validation split")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="seeds for the accuracy runs (default 0 1 2)")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md",
                        help="where to write the results (default benchmarks/RESULTS.md)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    if args.clock == "cpu" and args.threads != 1:
        parser.error("--clock cpu needs --threads 1: with more threads, CPU time adds up the "
                     "threads, including time they spend waiting for work.")
    if args.epochs is None:
        args.epochs = 2 if args.quick else 5
    if args.sections is None:
        args.sections = ["speed", "floor", "threads", "original", "memory"]
        if not args.quick:
            args.sections.append("accuracy")
    return args


class Report:
    """Markdown lines, printed as they come and kept for RESULTS.md; and the targets' verdicts."""

    def __init__(self):
        self.lines, self.verdicts = [], []

    def add(self, *lines):
        for line in lines:
            print(line, flush=True)
            self.lines.append(line)

    def table(self, header, rows):
        self.add("| " + " | ".join(header) + " |", "|" + "---|" * len(header))
        for row in rows:
            self.add("| " + " | ".join(str(cell) for cell in row) + " |")
        self.add("")

    def verdict(self, target, measured, met):
        self.verdicts.append((target, measured, "met" if met else "**not met**"))


def seconds(times):
    """'median (min-max)' of epoch times."""
    median, low, high = summarise(times)
    return f"{median:.3f} ({low:.3f}-{high:.3f})"


def thread_counts(counts):
    """'2' if every epoch used 2 BLAS threads, '1, 2, 2' otherwise."""
    return str(counts[0]) if len(set(counts)) == 1 else ", ".join(map(str, counts))


def speed_section(report, data, args):
    configs = speed.QUICK_CONFIGS if args.quick else speed.CONFIGS
    report.add("## Seconds per epoch: mnistnet and PyTorch on the same batches", "",
               f"Median of {args.epochs} epochs (min-max); threads: {args.threads} each; same "
               "initial weights and batch order; test accuracy after all epochs; "
               "'grad diff' = largest relative difference of the two weight gradients on one "
               "batch of 100 (the gradient cross-check). GFLOP/s counts the matrix products. "
               "mnistnet trains with its default `blas_threads=\"auto\"` (a fixed rule: the "
               "same seed gives the same weights); in float32 a copy also trains with "
               "`\"measure\"` (the training dashboard's setting: each epoch times 1 and "
               f"{args.threads} BLAS threads and keeps the faster), its epochs in turn with the "
               "other two. 'threads': the BLAS threads of each epoch. The targets are judged "
               "on the default.", "")
    results = {}
    for dtype in (np.float32, np.float64):
        rows = []
        measure = dtype == np.float32
        for config in configs:
            result = speed.compare(config, dtype, data, epochs=args.epochs, threads=args.threads,
                                   measure=measure)
            results[(config, result.dtype)] = result
            target = RATIO_TARGETS.get(config.batch_size) if dtype == np.float32 else None
            row = [config.name, config.kind, config.batch_size, result.dtype,
                   seconds(result.mnistnet_times), thread_counts(result.mnistnet_threads),
                   seconds(result.torch_times),
                   f"**{result.ratio:.2f}**" + (f" (≤ {target})" if target else "")]
            if measure:
                row += [seconds(result.measured_times), thread_counts(result.measured_threads),
                        f"{result.measured_ratio:.2f}"]
            rows.append(row + [f"{result.gflops(result.mnistnet_times):.0f} / "
                               f"{result.gflops(result.torch_times):.0f}",
                               f"{result.mnistnet_accuracy:.4f} / {result.torch_accuracy:.4f}",
                               f"{result.gradient_difference:.0e}"])
            if target:
                report.verdict(f"{config.name} batch {config.batch_size} float32: "
                               f"mnistnet/PyTorch ≤ {target}", f"{result.ratio:.2f}",
                               result.ratio <= target)
            print(f"  ... {config.name} batch {config.batch_size} {result.dtype} done",
                  flush=True)
        headers = ["network", "settings", "batch", "dtype", "mnistnet s/epoch", "threads",
                   "PyTorch s/epoch", "ratio"]
        if measure:
            headers += ["mnistnet \"measure\" s/epoch", "threads", "ratio"]
        report.table(headers + ["GFLOP/s mnistnet / PyTorch", "test acc. mnistnet / PyTorch",
                                "grad diff"], rows)
    return results


def floor_section(report, data, speed_results, args):
    report.add("## The floor: matrix products alone", "",
               "One epoch of 784-100-10 at batch 128, float32: only the products of the "
               "forward and backward passes (a W^T, δ^T a, δ W), into preallocated arrays, "
               "against a whole mnistnet training epoch (ReLU, cross-entropy, η=0.1, the "
               f"default `blas_threads`), the two in turn, {args.epochs} times each; BLAS "
               f"threads: {args.threads}; median (min-max).", "")
    products, mnistnet = speed.floor_comparison(data, epochs=args.epochs, threads=args.threads)
    ratio = summarise(mnistnet)[0] / summarise(products)[0]
    report.table(["what", "s/epoch", "× floor"], [
        ("matrix products only", seconds(products), "1.00"),
        ("mnistnet, whole training step", seconds(mnistnet), f"**{ratio:.2f}**")])
    report.verdict(f"784-100-10 batch 128 float32 within {FLOOR_TARGET}x of the products alone",
                   f"{ratio:.2f}x", ratio <= FLOOR_TARGET)
    if speed_results:
        every_config_floor(report, speed_results, args)


def every_config_floor(report, speed_results, args):
    """How far above its own products-only time each float32 configuration trains."""
    report.add("The same floor for every float32 configuration: its products alone on the "
               f"faster of 1 and {args.threads} BLAS threads (median of 3), against mnistnet's "
               "median epoch above. Near 1, the products are the whole cost and only faster "
               "BLAS could help; well above 1, the small numpy operations around them count.", "")
    rows = []
    for (config, dtype), result in speed_results.items():
        if dtype != "float32":
            continue
        floor = min(speed.matmul_floor(config.sizes, config.batch_size, repeats=3,
                                       threads=threads)[0] for threads in (1, args.threads))
        median = summarise(result.mnistnet_times)[0]
        rows.append((config.name, config.batch_size, f"{floor:.3f}", f"{median:.3f}",
                     f"{median / floor:.2f}"))
    report.table(["network", "batch", "products alone s", "mnistnet s/epoch", "× floor"], rows)


def threads_section(report, data, args):
    if args.clock == "cpu":
        report.add("## BLAS threads", "", "Skipped: comparing 1 and 2 threads needs the wall "
                   "clock (CPU time counts both threads, waiting included).", "")
        return
    report.add("## BLAS threads: when does a second thread pay?", "",
               "Matrix products of one 784-100-10 epoch on 1 and on 2 BLAS threads (median of 3).",
               "")
    rows = [(dtype, m, f"{one:.3f}", f"{two:.3f}", f"{two / one:.2f}")
            for dtype, m, one, two in speed.blas_threads_sweep()]
    report.table(["dtype", "batch", "1 thread s", "2 threads s", "2 / 1"], rows)
    report.add("mnistnet float64 epochs of 784-100-10 (ReLU, cross-entropy) with numpy's BLAS "
               "allowed 1 thread and allowed 2 (``Trainer`` may lower it itself); median of 2.",
               "")
    rows, worst = [], 0.0
    for m, one, two in speed.float64_threads_check(data, epochs=2, threads=args.threads):
        rows.append((m, f"{one:.3f}", f"{two:.3f}", f"{two / one:.2f}"))
        worst = max(worst, two / one)
    report.table(["batch", "1 allowed s", f"{args.threads} allowed s", "ratio"], rows)
    report.verdict("float64 not pathological: allowing 2 BLAS threads never costs > 10 %",
                   f"worst {worst:.2f}", worst <= 1.1)


def original_section(report, raw_data, args):
    report.add("## The original notebook's loop against mnistnet", "",
               "784-16-16-10 sigmoid, quadratic cost, raw pixels, learning rate 0.1, updates "
               "every 100 examples, one epoch, the same uniform(-0.5, 0.5) start. The loop goes "
               "one example at a time (the notebook's code, re-implemented); mnistnet trains "
               "mini-batches of 100.", "")
    r = original_loop.compare_with_mnistnet(raw_data, threads=args.threads)
    loop = r["loop seconds"]
    report.table(["implementation", "s/epoch", "speed-up", "test accuracy"], [
        ("notebook loop (float64)", f"{loop:.2f}", "1", f"{r['loop accuracy']:.4f}"),
        ("mnistnet float64", f"{r['mnistnet float64 seconds']:.3f}",
         f"**{loop / r['mnistnet float64 seconds']:.0f}x**", f"{r['mnistnet float64 accuracy']:.4f}"),
        ("mnistnet float32", f"{r['mnistnet float32 seconds']:.3f}",
         f"**{loop / r['mnistnet float32 seconds']:.0f}x**", f"{r['mnistnet float32 accuracy']:.4f}"),
    ])


def memory_section(report, args):
    report.add("## Peak memory of full-MNIST float32 training", "",
               "Each run in a fresh process (benchmarks/peak_memory.py): load the data with "
               "`load_mnist()`, train one epoch with a test set. Resident memory (RSS) in "
               "MB = 10^6 bytes, from /proc/self/status: 'loading peak' is the high-water "
               "mark (VmHWM) up to the end of loading, 'training peak' the high-water mark "
               "during training alone (reset through /proc/self/clear_refs after loading), "
               "'process peak' the larger of the two (everything: interpreter, numpy, data, "
               "training); 'training allocations' is the peak of memory allocated during "
               "training on top of what existed (tracemalloc).", "")
    rows, worst = [], 0.0
    for sizes, batch in (("784,100,10", 128), ("784,800,10", 128), ("784,256,128,10", 64)):
        output = subprocess.run([sys.executable, str(HERE / "peak_memory.py"), sizes,
                                 str(batch), "1"], capture_output=True, text=True, check=True)
        m = json.loads(output.stdout.strip().splitlines()[-1])
        training = m["training peak"]
        rows.append((sizes.replace(",", "-"), batch, f"{m['after imports']:.0f}",
                     f"{m['after loading']:.0f}", f"{m['loading peak']:.0f}",
                     "n/a" if training is None else f"{training:.0f}",
                     f"{m['training allocations']:.0f}", f"**{m['process peak']:.0f}**"))
        worst = max(worst, m["process peak"])
    report.table(["network", "batch", "after imports", "after loading", "loading peak",
                  "training peak", "training allocations", "process peak"], rows)
    report.verdict(f"peak memory of full-MNIST float32 training < {MEMORY_TARGET_MB} MB",
                   f"{worst:.0f} MB (process peak)", worst < MEMORY_TARGET_MB)


def accuracy_section(report, data, args):
    report.add("## Accuracy", "")
    if args.search:
        report.add("### Choosing the best recipe on the validation split", "",
                   "Trained on 50,000 training digits, scored on the 10,000 held out "
                   "(`train_validation_split(..., 10_000, rng=0)`); seed 0; the test set is not "
                   "used.", "")
        rows = accuracy.search(data, accuracy.candidates(), seed=args.seeds[0])
        report.table(["validation acc.", "train s", "recipe"],
                     [(f"{acc:.4f}", f"{secs:.1f}", recipe.label) for recipe, acc, _, secs in rows])
        report.add("### The videos' network on the validation split", "",
                   "The same split; each recipe over the seeds "
                   f"{', '.join(map(str, args.seeds))}: mean ± std (min-max).", "")
        rows = accuracy.search_seeds(data, accuracy.videos_candidates(), args.seeds)
        report.table(["validation acc.", "recipe"],
                     [(accuracy.spread(accs), recipe.label) for recipe, accs in rows])
    tuned = accuracy.VIDEOS_CHOSEN.effective_preset
    same = (tuned.network_kwargs() == VIDEOS_TUNED.network_kwargs()
            and tuned.train_kwargs() == VIDEOS_TUNED.train_kwargs())
    chosen_title = ("presets.VIDEOS_TUNED, chosen on the validation split" if same else
                    "chosen on the validation split (**presets.VIDEOS_TUNED differs**)")
    for title, recipe in (("presets.VIDEOS", accuracy.Recipe(accuracy.VIDEOS)),
                          (chosen_title, accuracy.VIDEOS_CHOSEN)):
        report.add(f"### The videos' network: {title}", "",
                   f"{recipe.label}; test accuracy after each epoch.", "")
        results = accuracy.videos_target(data, args.seeds, recipe)
        report.table(["seed", "test accuracy per epoch", "after epoch 10",
                      "train s (with the evaluations)"], [
            (r.seed, " ".join(f"{a:.4f}" for a in r.test_curve), f"{r.test_accuracy:.4f}",
             f"{r.train_seconds:.1f}") for r in results])
        finals = [r.test_accuracy for r in results]
        report.add(f"Over {len(finals)} seeds: {accuracy.spread(finals)}.", "")
        report.verdict(f"videos' 784-16-16-10 ({title}): ≥ {VIDEOS_TARGET:.0%} test accuracy "
                       "after 10 epochs, every seed", accuracy.spread(finals),
                       min(finals) >= VIDEOS_TARGET)

    best = accuracy.CHOSEN
    preset = accuracy.BEST
    same = (best.effective_preset.network_kwargs() == preset.network_kwargs()
            and best.effective_preset.train_kwargs() == preset.train_kwargs())
    preset_note = ("`presets.BEST` exactly" if same else
                   "**`presets.BEST` differs**: " + accuracy.Recipe(preset).label)
    report.add("### The best network (chosen on the validation split)", "",
               f"{best.label} ({preset_note}). Validation accuracy: "
               "trained on 50,000, scored on the 10,000 held out; test accuracy and time: "
               f"trained on all 60,000 ({args.clock} time of `train`, no evaluation inside).", "")
    results = accuracy.best_target(data, best, args.seeds)
    report.table(["seed", "validation acc.", "test acc.", "train s"], [
        (r.seed, f"{r.validation_accuracy:.4f}", f"{r.test_accuracy:.4f}",
         f"{r.train_seconds:.1f}") for r in results])
    tests = [r.test_accuracy for r in results]
    slowest = max(r.train_seconds for r in results)
    report.add(f"Validation: {accuracy.spread([r.validation_accuracy for r in results])}; "
               f"test: {accuracy.spread(tests)}; slowest run {slowest:.1f} s.", "")
    report.verdict(f"best: ≥ {BEST_TARGET:.1%} test accuracy (every seed)",
                   accuracy.spread(tests), min(tests) >= BEST_TARGET)
    report.verdict(f"best: trained in < {BEST_SECONDS:.0f} s", f"slowest {slowest:.1f} s",
                   slowest < BEST_SECONDS)


def write_atomically(path, text):
    """Write text to path through a temporary file and a rename, so no half file is left."""
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def main(argv=None):
    args = parse_args(argv)
    use_clock(args.clock)
    started = time.perf_counter()
    report = Report()
    report.add("# mnistnet benchmark results", "",
               f"Written by `{' '.join(['python benchmarks/bench.py', *sys.argv[1:]])}`.", "")
    info = machine_info()
    info["clock"] = ("wall-clock seconds" if args.clock == "wall" else
                     "CPU seconds of the process (1 thread; immune to other processes' load)")
    report.table(["", ""], info.items())
    data = load_full_mnist()
    speed_results = None
    if "speed" in args.sections:
        speed_results = speed_section(report, data, args)
    if "floor" in args.sections:
        floor_section(report, data, speed_results, args)
    if "threads" in args.sections:
        threads_section(report, data, args)
    if "original" in args.sections:
        original_section(report, load_full_mnist(raw_pixels=True), args)
    if "memory" in args.sections:
        memory_section(report, args)
    if "accuracy" in args.sections:
        accuracy_section(report, data, args)
    report.add("## Targets (issue 6)", "")
    report.table(["target", "measured", "verdict"], report.verdicts)
    report.add(f"Load average (1 min) at the end: {os.getloadavg()[0]:.2f}. "
               f"Whole run: {time.perf_counter() - started:.0f} s.", "")
    if not args.no_write:
        write_atomically(args.output, "\n".join(report.lines))
        print(f"Wrote {args.output}")


if __name__ == "__main__":
    main()
