#!/usr/bin/python3
"""The classical denoisers a trained model must beat, tuned on the same data (issue 5).

    /usr/bin/python3 tools/classical_baselines.py DATASET.h5 [--model NAME=FILE.h5:DATASET ...] [--json OUT]

DATASET.h5 is the TomoGAN layout written by `tomoedge simulate` (train_ns/train_gt, test_ns/test_gt).
Each filter's parameter is chosen on evenly spaced slices of the TRAINING split (best mean SSIM),
then scored on every slice of the held-out TEST split, so the filters get the same advantage
a trained model gets: they are fitted to this kind of data, and judged on volumes they never saw.

  gaussian  scipy.ndimage.gaussian_filter, sigma in 0.5 .. 10
  median    scipy.ndimage.median_filter, size 3 .. 45
  nlm       skimage.restoration.denoise_nl_means (patch 5, distance 6), h in multiples of the
            noise sigma estimated by skimage.restoration.estimate_sigma
  tv        skimage.restoration.denoise_tv_chambolle, weight in multiples of the slice's value
            range (max - min of the noisy slice's 1st..99th percentile)

--model rows are denoised test stacks (e.g. `tomoedge denoise` outputs) scored the same way.
SSIM and PSNR use the convention of `tomoedge compare`: 11 x 11 Gaussian window (sigma 1.5), data
range = max - min of each ground-truth slice; they agree with the C++ metrics to 1e-10
(tests/metrics, fixture made by tools/fixtures/make_ssim_fixture.py).
"""
import argparse
import json
import sys

import h5py
import numpy as np
from scipy import ndimage
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
from skimage.restoration import denoise_nl_means, denoise_tv_chambolle, estimate_sigma

TUNE_SLICES = 12


def scores(stack, truth):
    ssim, psnr = [], []
    for a, b in zip(stack.astype(np.float64), truth.astype(np.float64)):
        r = float(b.max() - b.min())
        ssim.append(structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
                                          use_sample_covariance=False, data_range=r))
        psnr.append(peak_signal_noise_ratio(b, a, data_range=r))
    return float(np.mean(ssim)), float(np.mean(psnr))


def gaussian(stack, sigma):
    return np.stack([ndimage.gaussian_filter(s, sigma) for s in stack])


def median(stack, size):
    return np.stack([ndimage.median_filter(s, size=size) for s in stack])


def nlm(stack, h_factor):
    out = []
    for s in stack:
        sigma = float(estimate_sigma(s))
        out.append(denoise_nl_means(s, h=h_factor * sigma, sigma=sigma, patch_size=5, patch_distance=6,
                                    fast_mode=True))
    return np.stack(out)


def tv(stack, weight):
    out = []
    for s in stack:
        lo, hi = np.percentile(s, [1, 99])
        span = float(hi - lo) or 1.0
        # Chambolle's weight is in the image's units: scale it by the slice's range.
        out.append(denoise_tv_chambolle(s, weight=weight * span))
    return np.stack(out)


FILTERS = {
    "gaussian": (gaussian, "sigma", [0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]),
    "median": (median, "size", [3, 5, 9, 15, 21, 27, 35, 45]),
    "nlm": (nlm, "h/sigma", [1.0, 2.0, 4.0, 6.0, 8.0]),
    "tv": (tv, "weight/range", [0.02, 0.05, 0.1, 0.2, 0.4, 0.8]),
}


def read(path):
    file, _, dataset = path.rpartition(":")
    with h5py.File(file, "r") as f:
        return np.asarray(f[dataset], dtype=np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset")
    parser.add_argument("--model", action="append", default=[], help="NAME=FILE.h5:DATASET")
    parser.add_argument("--json", help="write the table as JSON here")
    args = parser.parse_args()

    with h5py.File(args.dataset, "r") as f:
        train_ns, train_gt = np.asarray(f["train_ns"], np.float32), np.asarray(f["train_gt"], np.float32)
        test_ns, test_gt = np.asarray(f["test_ns"], np.float32), np.asarray(f["test_gt"], np.float32)
    pick = np.linspace(0, len(train_ns) - 1, TUNE_SLICES).round().astype(int)
    tune_ns, tune_gt = train_ns[pick], train_gt[pick]

    rows = [{"method": "noisy input (low-dose FBP)", "parameter": None,
             **dict(zip(("ssim", "psnr"), scores(test_ns, test_gt)))}]
    for name, (apply, param_name, grid) in FILTERS.items():
        tuned = {p: scores(apply(tune_ns, p), tune_gt)[0] for p in grid}
        best = max(tuned, key=tuned.get)
        print(f"{name}: training-split SSIM by {param_name}: "
              + ", ".join(f"{p}: {v:.4f}" for p, v in tuned.items()), file=sys.stderr)
        ssim, psnr = scores(apply(test_ns, best), test_gt)
        rows.append({"method": f"{name} filter", "parameter": f"{param_name} = {best}", "ssim": ssim, "psnr": psnr})
    for spec in args.model:
        name, _, path = spec.partition("=")
        out = read(path)
        if out.shape != test_gt.shape:
            sys.exit(f"{path}: shape {out.shape}, test_gt is {test_gt.shape}")
        ssim, psnr = scores(out, test_gt)
        rows.append({"method": name, "parameter": None, "ssim": ssim, "psnr": psnr})

    print(f"| method ({len(test_gt)} held-out test slices) | tuned parameter | mean SSIM | mean PSNR (dB) |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r['method']} | {r['parameter'] or '-'} | {r['ssim']:.4f} | {r['psnr']:.2f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"dataset": args.dataset, "tune_slices": pick.tolist(), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
