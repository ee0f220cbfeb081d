#!/usr/bin/env python3
"""Reconstruct a low-dose Data Exchange scan, restore it with TomoGAN, and score it: tomoedge from
Python, next to the usual tools (dxchange to read, scikit-image to score, matplotlib to plot).

    build/src/cli/tomoedge simulate -o /tmp/sim --size 512 --slices 8 --volumes 2 --test-volumes 1
    PYTHONPATH=build/python /usr/bin/python3 examples/denoise_dxchange.py \\
        /tmp/sim/projections/v001_lowdose.h5 --reference /tmp/sim/projections/v001_normaldose.h5 \\
        -o /tmp/sim/python_example.png

The scan is read with dxchange when it is installed (Debian: python3-dxchange, python3-pandas),
else with h5py. --reference is a normal-dose scan of the same sample: its reconstruction is the
ground truth the SSIM is measured against (without it, only the panels are drawn).
"""
import argparse
import os
import time

import numpy as np


def read_scan(path):
    """(projections, flats, darks, theta in degrees) of a Data Exchange file."""
    try:
        import dxchange
    except ImportError:  # fall back to the layout itself
        import h5py

        with h5py.File(path, "r") as f:
            return (f["exchange/data"][()], f["exchange/data_white"][()], f["exchange/data_dark"][()],
                    f["exchange/theta"][()], "h5py")
    projections, flats, darks, theta_rad = dxchange.read_aps_32id(path)
    return projections, flats, darks, np.rad2deg(theta_rad), "dxchange"


def main():
    import tomoedge

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scan", help="low-dose Data Exchange file (/exchange/data, data_white, data_dark, theta)")
    parser.add_argument("--reference", help="normal-dose Data Exchange file of the same sample (ground truth)")
    parser.add_argument("--model", default="models/tomogan-general-int8-ft.onnx", help="ONNX model")
    parser.add_argument("--slice", type=int, default=None, help="slice to draw (default: the middle one)")
    parser.add_argument("-o", "--output", default="denoise_dxchange.png", help="PNG to write")
    args = parser.parse_args()

    projections, flats, darks, theta, reader = read_scan(args.scan)
    print(f"{args.scan}: projections {projections.shape} {projections.dtype}, {len(flats)} flats, "
          f"{len(darks)} darks, theta {theta.min():.1f}..{theta.max():.1f} deg (read with {reader})")
    start = time.perf_counter()
    noisy = tomoedge.recon(projections, flats, darks, theta)
    print(f"recon: {noisy.shape} in {time.perf_counter() - start:.2f} s")

    model = tomoedge.Model(args.model)
    start = time.perf_counter()
    restored = model.denoise(noisy)
    print(f"denoise ({model.backend} {model.precision}, {model.input_depth} slices in): "
          f"{time.perf_counter() - start:.2f} s")

    truth = None
    if args.reference:
        reference = read_scan(args.reference)
        truth = tomoedge.recon(*reference[:4])
        from skimage.metrics import structural_similarity

        print(f"{'slice':>5} {'SSIM noisy':>11} {'SSIM restored':>14} {'(tomoedge.ssim)':>16} {'PSNR restored':>14}")
        for i in range(len(truth)):
            scores = []
            for image in (noisy[i], restored[i]):
                scores.append(structural_similarity(image, truth[i], gaussian_weights=True, sigma=1.5,
                                                    use_sample_covariance=False,
                                                    data_range=float(truth[i].max() - truth[i].min())))
            print(f"{i:>5} {scores[0]:>11.4f} {scores[1]:>14.4f} {tomoedge.ssim(restored[i], truth[i]):>16.4f} "
                  f"{tomoedge.psnr(restored[i], truth[i]):>14.2f}")
        print(f" mean {tomoedge.ssim(noisy, truth):>11.4f} {tomoedge.ssim(restored, truth):>14.4f}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k = len(noisy) // 2 if args.slice is None else args.slice
    panels = [(f"low-dose FBP, slice {k}", noisy[k]), (os.path.basename(args.model), restored[k])]
    if truth is not None:
        panels.append(("normal-dose FBP", truth[k]))
    grey = panels[-1][1]
    low, high = np.percentile(grey, [0.5, 99.5])
    fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 4.3))
    for ax, (title, image) in zip(axes, panels):
        ax.imshow(image, cmap="gray", vmin=low, vmax=high)
        ax.set_title(title)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(args.output, dpi=100)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
